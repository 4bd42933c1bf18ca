import { Router, type RequestHandler } from 'express';
import type { LiveState } from '@relaydesk/live';
import type { GroupRepository } from '../store/group.repository';
import { callerOf, identityOfCaller } from './authenticate';

/** D14: #9 and #10 from the live state in Redis, which the conversation service keeps in step. */
export function counterRoutes(deps: { live: LiveState; groups: Pick<GroupRepository, 'list'> }, requireCaller: RequestHandler): Router {
  const router = Router();
  router.get('/conversations/counters', requireCaller, async (_req, res) => {
    const groups = await deps.groups.list();
    res.json(await deps.live.counters(identityOfCaller(callerOf(res)), groups.map((g) => g.id)));
  });
  return router;
}
