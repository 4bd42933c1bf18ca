import { Router } from 'express';
import { tagAnalyticsQuery, taggedMessagesQuery, uuid } from '@relaydesk/contracts';
import { identityOf, parseOrThrow } from '@relaydesk/service-kit';
import { countTaggedMessages, seriesRows } from '../domain/count-tagged-messages';
import { toCsv } from '../domain/csv';
import { listTaggedMessages } from '../domain/list-tagged-messages';
import type { TaggedMessageRepository } from '../store/tagged-message.repository';

/** D25 behind the gateway's signed identity: counts per tag (JSON, or CSV on `Accept: text/csv`) and the messages behind them. */
export function analyticsRoutes(store: TaggedMessageRepository): Router {
  const router = Router();
  router.get('/analytics/tags', async (req, res) => {
    const query = parseOrThrow(tagAnalyticsQuery, req.query, 'query');
    const analytics = await countTaggedMessages(store, identityOf(res), query);
    if (req.accepts(['application/json', 'text/csv']) === 'text/csv') {
      res.type('text/csv; charset=utf-8').attachment('tag-analytics.csv').send(toCsv(seriesRows(analytics)));
      return;
    }
    res.json(analytics);
  });
  router.get('/analytics/tags/:tagId/messages', async (req, res) => {
    const tagId = parseOrThrow(uuid, req.params.tagId, 'tagId');
    const query = parseOrThrow(taggedMessagesQuery, req.query, 'query');
    res.json(await listTaggedMessages(store, identityOf(res), tagId, query));
  });
  return router;
}
