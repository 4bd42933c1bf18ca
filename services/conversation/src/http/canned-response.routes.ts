import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { cannedResponseIdParams, createCannedResponseBody, listCannedResponsesQuery, patchCannedResponseBody, type CannedResponseView } from '@relaydesk/contracts';
import { identityOf, parseOrThrow } from '@relaydesk/service-kit';
import { createCanned } from '../domain/create-canned-response';
import { deleteCanned } from '../domain/delete-canned-response';
import { editCanned } from '../domain/edit-canned-response';
import { listCanned } from '../domain/list-canned-responses';
import type { CannedResponseRow } from '../store/canned-response.repository';

const view = (r: CannedResponseRow): CannedResponseView => ({
  id: r.id,
  title: r.title,
  text: r.text,
  scope: r.scope,
  ownerId: r.ownerId,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

/** D16 canned responses, mounted at /canned-responses behind the gateway's signed identity. */
export function cannedResponseRoutes(db: DataSource): Router {
  const router = Router();
  const idOf = (params: unknown): string => parseOrThrow(cannedResponseIdParams, params, 'path').id;

  router.get('/', async (req, res) => {
    const query = parseOrThrow(listCannedResponsesQuery, req.query, 'query');
    const page = await listCanned(db.manager, identityOf(res), query);
    res.json({ items: page.items.map(view), nextCursor: page.nextCursor });
  });

  router.post('/', async (req, res) => {
    const body = parseOrThrow(createCannedResponseBody, req.body, 'body');
    res.status(201).json(view(await createCanned(db.manager, identityOf(res), body)));
  });

  router.patch('/:id', async (req, res) => {
    const id = idOf(req.params);
    const change = parseOrThrow(patchCannedResponseBody, req.body, 'body');
    res.json(view(await editCanned(db, identityOf(res), id, change)));
  });

  router.delete('/:id', async (req, res) => {
    await deleteCanned(db, identityOf(res), idOf(req.params));
    res.status(204).end();
  });

  return router;
}
