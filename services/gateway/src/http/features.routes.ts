import { Router, type RequestHandler } from 'express';
import type { GatewayConfig } from '../config';

/** D29: paid features are switched on by the installation (FEATURE_OUTGOING_WHATSAPP), never by operators. */
export function featureRoutes(deps: { config: Pick<GatewayConfig, 'FEATURE_OUTGOING_WHATSAPP'> }, requireCaller: RequestHandler): Router {
  const router = Router();
  router.get('/features', requireCaller, (_req, res) => {
    res.json({ outgoingWhatsApp: deps.config.FEATURE_OUTGOING_WHATSAPP });
  });
  return router;
}
