import { Router, type RequestHandler } from 'express';
import { callerOf } from './authenticate';
import type { Item, Names } from './names';
import { reply, succeeded, type ServiceClient } from './service-client';

/** D26 (API.md GET /search): the search service finds, the gateway names the people and groups. */
export function searchRoutes(deps: { search: ServiceClient }, requireCaller: RequestHandler, names: Names): Router {
  const router = Router();

  router.get('/search', requireCaller, async (req, res) => {
    const answer = await deps.search.forward(req, res);
    if (!succeeded(answer)) return reply(res, answer);
    const page = answer.body as { items: { conversation: Item }[]; nextCursor: string | null };
    const named = await names.items(page.items.map((hit) => hit.conversation), callerOf(res));
    reply(res, answer, { ...page, items: page.items.map((hit, i) => ({ ...hit, conversation: named[i] })) });
  });

  return router;
}
