import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import express, { Router } from 'express';

/**
 * The operator web app at `/`: its hashed assets cached for good, `index.html` never, and every
 * other page path answered with `index.html` so a reload of the app's screen works.
 */
/**
 * The app's own code only: an injected script could read the access token in localStorage. Images
 * and media may also come from https (a connector's file redirects there); no page may frame the
 * app (clickjacking), and no link tells another site which conversation was open.
 */
export const operatorUiHeaders: Record<string, string> = {
  'Content-Security-Policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data: https:",
    "media-src 'self' blob: https:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

export function operatorUi(dir: string): Router {
  const root = resolve(dir);
  const router = Router();
  router.use((_req, res, next) => {
    res.set(operatorUiHeaders);
    next();
  });
  const index = resolve(root, 'index.html');
  if (!existsSync(index)) {
    router.get('/', (_req, res) => {
      res.type('text/plain').send('The operator web app is not built here: run `npm run build:ui`, or use the API under /api/v1.');
    });
    return router;
  }
  router.use('/assets', express.static(resolve(root, 'assets'), { immutable: true, maxAge: '1y', fallthrough: false }));
  router.use(express.static(root, { index: false, maxAge: 0 }));
  router.get(/^\/(?!api\/|ingest\/|health$|ready$).*/, (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
