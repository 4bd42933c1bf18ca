import { Router, type RequestHandler } from 'express';
import { reply, type ServiceClient } from './service-client';

/** D16 canned responses (API.md): the conversation service owns them and decides who may do what. */
export function cannedResponseRoutes(deps: { conversation: ServiceClient }, requireCaller: RequestHandler): Router {
  const router = Router();
  const service = deps.conversation;

  const withBody: RequestHandler = async (req, res) => {
    reply(res, await service.forward(req, res, req.body));
  };
  const withoutBody: RequestHandler = async (req, res) => {
    reply(res, await service.forward(req, res));
  };

  router.get('/canned-responses', requireCaller, withoutBody);
  router.post('/canned-responses', requireCaller, withBody);
  router.patch('/canned-responses/:id', requireCaller, withBody);
  router.delete('/canned-responses/:id', requireCaller, withoutBody);

  return router;
}
