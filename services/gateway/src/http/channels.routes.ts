import { createChannelBody, patchChannelBody } from '@relaydesk/contracts';
import { parseOrThrow } from '@relaydesk/service-kit';
import { Router, type RequestHandler } from 'express';
import { requireSuperAdmin } from '../domain/permissions';
import { requireKnownGroups } from '../domain/require-known-groups';
import { callerOf } from './authenticate';
import type { Directory } from '../store/directory';
import { idParams } from './params';
import { reply, type ServiceClient } from './service-client';

/** Channels live in ingestion; the gateway checks the group (which it owns) and forwards. */
export function channelRoutes(deps: { ingestion: ServiceClient; directory: Directory }, requireCaller: RequestHandler): Router {
  const router = Router();

  router.post('/channels', requireCaller, async (req, res) => {
    requireSuperAdmin(callerOf(res), 'create channels');
    const body = parseOrThrow(createChannelBody, req.body, 'body');
    await requireKnownGroups(deps.directory, [body.groupId], 'groupId');
    reply(res, await deps.ingestion.forward(req, res, body));
  });

  router.get('/channels', requireCaller, async (req, res) => {
    reply(res, await deps.ingestion.forward(req, res));
  });

  router.patch('/channels/:id', requireCaller, async (req, res) => {
    requireSuperAdmin(callerOf(res), 'change channels');
    parseOrThrow(idParams, req.params, 'path');
    const body = parseOrThrow(patchChannelBody, req.body, 'body');
    if (body.groupId) await requireKnownGroups(deps.directory, [body.groupId], 'groupId');
    reply(res, await deps.ingestion.forward(req, res, body));
  });

  // Issue 5: tells Telegram to deliver the bot's updates to the channel's webhook URL, with its secret.
  router.post('/channels/:id/telegram/webhook', requireCaller, async (req, res) => {
    requireSuperAdmin(callerOf(res), 'register webhooks');
    parseOrThrow(idParams, req.params, 'path');
    reply(res, await deps.ingestion.forward(req, res, {}));
  });

  return router;
}
