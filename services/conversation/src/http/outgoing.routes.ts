import { Router } from 'express';
import type { DataSource } from 'typeorm';
import type { OutboxRelay } from '@relaydesk/bus';
import { idempotencyKey, outgoingClientQuery, outgoingConversationBody } from '@relaydesk/contracts';
import { identityOf, parseOrThrow } from '@relaydesk/service-kit';
import { existingClientOf, startOutgoingConversation } from '../domain/start-outgoing-conversation';
import { itemView } from './views';

/** D29: outgoing conversations; the gateway has checked the feature, the group and the number. */
export function outgoingRoutes(db: DataSource, relay: OutboxRelay): Router {
  const router = Router();

  router.get('/outgoing/client', async (req, res) => {
    const { channelId, externalClientId } = parseOrThrow(outgoingClientQuery, req.query, 'query');
    res.json({ existing: await existingClientOf(db, identityOf(res), channelId, externalClientId) });
  });

  router.post('/outgoing', async (req, res) => {
    const body = parseOrThrow(outgoingConversationBody, req.body, 'body');
    const key = parseOrThrow(idempotencyKey, req.header('idempotency-key'), 'Idempotency-Key header');
    const { conversation, created } = await startOutgoingConversation(db, relay, identityOf(res), body, key);
    if (!created) res.setHeader('Idempotent-Replayed', 'true');
    res.status(201).json(itemView(conversation));
  });

  return router;
}
