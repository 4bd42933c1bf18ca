import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { uuid, type AttachmentLocation } from '@relaydesk/contracts';
import { identityOf, parseOrThrow } from '@relaydesk/service-kit';
import { z } from 'zod';
import { visibleAttachment } from '../domain/visible-attachment';

const attachmentIdParams = z.object({ id: uuid });

/** Internal: where an attachment's bytes are, for the gateway, which streams them (D15, D34). */
export function attachmentRoutes(db: DataSource): Router {
  const router = Router();

  router.get('/attachments/:id', async (req, res) => {
    const { id } = parseOrThrow(attachmentIdParams, req.params, 'path');
    const a = await visibleAttachment(db.manager, identityOf(res), id);
    const location: AttachmentLocation = { id: a.id, conversationId: a.conversationId, storageKey: a.storageKey, externalUrl: a.externalUrl, fileName: a.fileName, mimeType: a.mimeType, size: a.size };
    res.json(location);
  });

  return router;
}
