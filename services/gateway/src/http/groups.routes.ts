import { createGroupBody, renameGroupBody } from '@relaydesk/contracts';
import { parseOrThrow } from '@relaydesk/service-kit';
import { Router, type RequestHandler } from 'express';
import { createGroup, renameGroup } from '../domain/groups';
import type { GroupRepository } from '../store/group.repository';
import { callerOf } from './authenticate';
import { idParams } from './params';

export function groupRoutes(deps: { groups: Pick<GroupRepository, 'create' | 'rename' | 'list'> }, requireCaller: RequestHandler): Router {
  const router = Router();

  router.post('/groups', requireCaller, async (req, res) => {
    const { name } = parseOrThrow(createGroupBody, req.body);
    res.status(201).json(await createGroup(deps, callerOf(res), name));
  });

  router.get('/groups', requireCaller, async (_req, res) => {
    res.json({ items: await deps.groups.list() });
  });

  router.patch('/groups/:id', requireCaller, async (req, res) => {
    const { id } = parseOrThrow(idParams, req.params, 'path');
    const { name } = parseOrThrow(renameGroupBody, req.body);
    res.json(await renameGroup(deps, callerOf(res), id, name));
  });

  return router;
}
