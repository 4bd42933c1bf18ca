import { Router, type RequestHandler } from 'express';
import { reply, type ServiceClient } from './service-client';

/** D25: the tagging-analytics service answers, as JSON or (Accept: text/csv) CSV, and decides who may see what. */
export function analyticsRoutes(deps: { analytics: ServiceClient }, requireCaller: RequestHandler): Router {
  const router = Router();
  const forward: RequestHandler = async (req, res) => {
    reply(res, await deps.analytics.forward(req, res, undefined, { accept: req.header('accept') ?? 'application/json' }));
  };
  router.get('/analytics/tags', requireCaller, forward);
  router.get('/analytics/tags/:tagId/messages', requireCaller, forward);
  return router;
}
