import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { uuid } from '@relaydesk/contracts';
import { AppError, identityOf, parseOrThrow } from '@relaydesk/service-kit';
import { z } from 'zod';
import { exportConversations } from '../domain/export-conversations';

const exportQuery = z.object({ after: uuid.optional(), limit: z.coerce.number().int().min(1).max(1_000).default(500) });

/** Internal, under /export: every conversation with its messages, a page at a time, for rebuilding a projection (super_admin identity). */
export function exportRoutes(db: DataSource): Router {
  const router = Router();

  router.get('/conversations', async (req, res) => {
    if (identityOf(res).role !== 'super_admin') throw new AppError('forbidden', 'Only a super_admin identity exports conversations');
    const { after, limit } = parseOrThrow(exportQuery, req.query, 'query');
    res.json(await exportConversations(db, after, limit));
  });

  return router;
}
