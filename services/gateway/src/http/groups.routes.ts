import { createGroupBody } from '@relaydesk/contracts';
import { parseOrThrow } from '@relaydesk/service-kit';
import { Router, type RequestHandler } from 'express';
import { createGroup } from '../domain/create-group';
import type { GroupRepository } from '../store/group.repository';
import { callerOf } from './authenticate';

export function groupRoutes(deps: { groups: Pick<GroupRepository, 'create' | 'list'> }, requireCaller: RequestHandler): Router {
  const router = Router();

  router.post('/groups', requireCaller, async (req, res) => {
    const { name } = parseOrThrow(createGroupBody, req.body);
    res.status(201).json(await createGroup(deps, callerOf(res), name));
  });

  router.get('/groups', requireCaller, async (_req, res) => {
    res.json({ items: await deps.groups.list() });
  });

  return router;
}
