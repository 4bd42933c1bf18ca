import { createOperatorBody, noBody, patchOperatorBody } from '@relaydesk/contracts';
import { parseOrThrow } from '@relaydesk/service-kit';
import { Router, type RequestHandler } from 'express';
import { createOperator, type CreateOperatorDeps } from '../domain/create-operator';
import { listAssignableOperators } from '../domain/list-assignable-operators';
import { logOutOperator, patchOperator, type PatchOperatorDeps } from '../domain/patch-operator';
import type { PresenceStore } from '../store/presence';
import type { OperatorRepository } from '../store/operator.repository';
import { callerOf } from './authenticate';
import { idParams } from './params';

type Deps = CreateOperatorDeps & PatchOperatorDeps & { operators: Pick<OperatorRepository, 'list'>; presence: Pick<PresenceStore, 'of'> };

export function operatorRoutes(deps: Deps, requireCaller: RequestHandler): Router {
  const router = Router();

  router.post('/operators', requireCaller, async (req, res) => {
    const body = parseOrThrow(createOperatorBody, req.body);
    res.status(201).json(await createOperator(deps, callerOf(res), body));
  });

  router.get('/operators', requireCaller, async (_req, res) => {
    res.json({ items: await listAssignableOperators(deps, callerOf(res)) });
  });

  router.patch('/operators/:id', requireCaller, async (req, res) => {
    const { id } = parseOrThrow(idParams, req.params, 'path');
    const body = parseOrThrow(patchOperatorBody, req.body);
    res.json(await patchOperator(deps, callerOf(res), id, body));
  });

  router.post('/operators/:id/logout', requireCaller, async (req, res) => {
    const { id } = parseOrThrow(idParams, req.params, 'path');
    parseOrThrow(noBody, req.body ?? {});
    await logOutOperator(deps, callerOf(res), id);
    res.status(204).end();
  });

  return router;
}
