import { loginBody } from '@relaydesk/contracts';
import { parseOrThrow } from '@relaydesk/service-kit';
import { Router, type RequestHandler } from 'express';
import { logIn, type LogInDeps } from '../domain/log-in';
import { meOf } from '../domain/operator';
import { callerOf } from './authenticate';

export function authRoutes(deps: LogInDeps, requireCaller: RequestHandler): Router {
  const router = Router();

  router.post('/auth/login', async (req, res) => {
    const body = parseOrThrow(loginBody, req.body);
    res.json(await logIn(deps, body, req.ip ?? 'unknown'));
  });

  router.get('/me', requireCaller, (_req, res) => {
    res.json(meOf(callerOf(res)));
  });

  return router;
}
