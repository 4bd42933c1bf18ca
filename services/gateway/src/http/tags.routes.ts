import { Router, type RequestHandler } from 'express';
import { AppError } from '@relaydesk/service-kit';
import { reply, type ServiceClient } from './service-client';

/** D24: the conversation service keeps tags beside the messages they mark (ADR 0012). */
export function tagRoutes(deps: { conversation: ServiceClient }, requireCaller: RequestHandler): Router {
  const router = Router();
  const service = deps.conversation;

  router.get('/tags', requireCaller, async (req, res) => {
    reply(res, await service.forward(req, res));
  });
  router.post('/tags', requireCaller, async (req, res) => {
    reply(res, await service.forward(req, res, req.body));
  });
  router.post('/conversations/:id/tags', requireCaller, async (req, res) => {
    reply(res, await service.forward(req, res, req.body));
  });
  const refuse: RequestHandler = (_req, res) => {
    res.setHeader('Allow', '');
    throw new AppError('method_not_allowed', 'Tags can be neither renamed nor deleted (D24)');
  };
  router.patch('/tags/:id', requireCaller, refuse);
  router.delete('/tags/:id', requireCaller, refuse);

  return router;
}
