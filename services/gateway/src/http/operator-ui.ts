import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import express, { Router } from 'express';

/**
 * The operator web app at `/`: its hashed assets cached for good, `index.html` never, and every
 * other page path answered with `index.html` so a reload of the app's screen works.
 */
export function operatorUi(dir: string): Router {
  const root = resolve(dir);
  const router = Router();
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
