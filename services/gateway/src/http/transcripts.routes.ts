import { Router, type RequestHandler } from 'express';
import { transcriptBody } from '@relaydesk/contracts';
import { parseOrThrow } from '@relaydesk/service-kit';
import type { Directory } from '../store/directory';
import { reply, type ServiceClient } from './service-client';

/**
 * D23: the conversation service checks the request and snapshots the messages; the gateway adds
 * the names of people and groups it owns, so the mail can name senders, group and assignee.
 */
export function transcriptRoutes(deps: { conversation: ServiceClient; directory: Directory }, requireCaller: RequestHandler): Router {
  const router = Router();

  router.post('/conversations/:id/transcript', requireCaller, async (req, res) => {
    parseOrThrow(transcriptBody, req.body, 'body');
    const names = await deps.directory.everyName();
    reply(res, await deps.conversation.forward(req, res, { ...(req.body as object), names }));
  });
  router.get('/transcripts/:id', requireCaller, async (req, res) => {
    reply(res, await deps.conversation.forward(req, res));
  });

  return router;
}
