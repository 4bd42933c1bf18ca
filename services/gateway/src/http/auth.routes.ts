import { changePasswordBody, loginBody, logoutBody } from '@relaydesk/contracts';
import { parseOrThrow } from '@relaydesk/service-kit';
import { Router, type RequestHandler } from 'express';
import { logIn, type LogInDeps } from '../domain/log-in';
import { meOf } from '../domain/operator';
import { changeOwnPassword, logOut, type OwnAccountDeps } from '../domain/own-account';
import { accessTokenOf, callerOf } from './authenticate';

export function authRoutes(deps: LogInDeps & OwnAccountDeps, requireCaller: RequestHandler): Router {
  const router = Router();

  router.post('/auth/login', async (req, res) => {
    const body = parseOrThrow(loginBody, req.body);
    res.json(await logIn(deps, body, req.ip ?? 'unknown'));
  });

  router.post('/auth/logout', requireCaller, async (req, res) => {
    // A bare POST is the usual logout: no body means this token only.
    const body = parseOrThrow(logoutBody, req.body ?? {});
    await logOut(deps, callerOf(res), accessTokenOf(res), body);
    res.status(204).end();
  });

  router.get('/me', requireCaller, (_req, res) => {
    res.json(meOf(callerOf(res)));
  });

  router.post('/me/password', requireCaller, async (req, res) => {
    const body = parseOrThrow(changePasswordBody, req.body);
    res.json(await changeOwnPassword(deps, callerOf(res), body, req.ip ?? 'unknown'));
  });

  return router;
}
