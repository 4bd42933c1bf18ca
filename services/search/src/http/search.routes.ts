import { Router } from 'express';
import { searchQuery } from '@relaydesk/contracts';
import { identityOf, parseOrThrow } from '@relaydesk/service-kit';
import { searchConversations } from '../domain/search-conversations';
import type { SearchEngine } from '../store/search-engine';

/** GET /search behind the gateway's signed identity (API.md; D26). */
export function searchRoutes(engine: SearchEngine): Router {
  const router = Router();
  router.get('/search', async (req, res) => {
    const query = parseOrThrow(searchQuery, req.query, 'query');
    res.json(await searchConversations(engine, identityOf(res), query));
  });
  return router;
}
