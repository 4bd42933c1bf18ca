import { Router, type RequestHandler } from 'express';
import { reply, type ServiceClient } from './service-client';

/** The client profile lives in the conversation service (D17, D19): forwarded as the caller. */
export function clientRoutes(deps: { conversation: ServiceClient }, requireCaller: RequestHandler): Router {
  const router = Router();
  const forward: RequestHandler = async (req, res) => {
    reply(res, await deps.conversation.forward(req, res, req.method === 'GET' ? undefined : req.body));
  };
  router.get('/clients/:id', requireCaller, forward);
  router.patch('/clients/:id', requireCaller, forward);
  router.put('/clients/:id/note', requireCaller, forward);
  return router;
}
