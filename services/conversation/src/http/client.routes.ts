import { Router } from 'express';
import type { DataSource } from 'typeorm';
import type { OutboxRelay } from '@relaydesk/bus';
import { clientIdParams, clientNoteBody, renameClientBody } from '@relaydesk/contracts';
import { identityOf, parseOrThrow } from '@relaydesk/service-kit';
import { renameClient, setNote, visibleClient } from '../domain/client-profile';
import { pinClient } from '../domain/pin-client';
import type { ClientRow } from '../store/client.repository';

/** The client profile (D17, D19) with its pin (D30); the gateway words the pin's label (D32). */
const clientView = (c: ClientRow) => ({
  id: c.id,
  name: c.name,
  originalName: c.originalName,
  channel: c.channel,
  externalId: c.externalId,
  phone: c.phone,
  note: c.note,
  blacklisted: c.blacklisted,
  conversationId: c.conversation.id,
  pin: c.pinnedOperatorId ? { operatorId: c.pinnedOperatorId } : null,
});

export function clientRoutes(db: DataSource, relay: OutboxRelay): Router {
  const router = Router();
  const idOf = (params: unknown): string => parseOrThrow(clientIdParams, params, 'path').id;

  router.get('/clients/:id', async (req, res) => {
    res.json(clientView(await visibleClient(db.manager, identityOf(res), idOf(req.params))));
  });

  router.patch('/clients/:id', async (req, res) => {
    const { name } = parseOrThrow(renameClientBody, req.body, 'body');
    res.json(clientView(await renameClient(db, relay, identityOf(res), idOf(req.params), name)));
  });

  router.put('/clients/:id/note', async (req, res) => {
    const { note, previous } = parseOrThrow(clientNoteBody, req.body, 'body');
    res.json(clientView(await setNote(db, identityOf(res), idOf(req.params), note, previous)));
  });

  router.post('/clients/:id/pin', async (req, res) => {
    res.json(clientView(await pinClient(db, relay, identityOf(res), idOf(req.params), true)));
  });

  router.delete('/clients/:id/pin', async (req, res) => {
    res.json(clientView(await pinClient(db, relay, identityOf(res), idOf(req.params), false)));
  });

  return router;
}
