import { Router, type RequestHandler } from 'express';
import type { Directory } from '../store/directory';
import { callerOf } from './authenticate';
import { withPinViews } from './pin-view';
import { reply, succeeded, type ServiceClient } from './service-client';

/** The client profile lives in the conversation service (D17, D19, D30): forwarded as the caller. */
export function clientRoutes(deps: { conversation: ServiceClient; directory: Directory }, requireCaller: RequestHandler): Router {
  const router = Router();
  const forward: RequestHandler = async (req, res) => {
    const answer = await deps.conversation.forward(req, res, req.method === 'GET' || req.method === 'DELETE' ? undefined : (req.body ?? {}));
    if (!succeeded(answer)) return reply(res, answer);
    const [client] = await withPinViews(deps.directory, callerOf(res), [answer.body as { pin?: { operatorId: string } | null }]);
    reply(res, answer, client);
  };
  router.get('/clients/:id', requireCaller, forward);
  router.patch('/clients/:id', requireCaller, forward);
  router.put('/clients/:id/note', requireCaller, forward);
  router.post('/clients/:id/pin', requireCaller, forward);
  router.delete('/clients/:id/pin', requireCaller, forward);
  return router;
}
