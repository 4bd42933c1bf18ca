import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { heldAttachmentsBody, uuid, type AttachmentLocation, type HeldAttachmentsAnswer } from '@relaydesk/contracts';
import { AppError, identityOf, parseOrThrow } from '@relaydesk/service-kit';
import { z } from 'zod';
import { visibleAttachment } from '../domain/visible-attachment';
import { heldStorageKeys } from '../store/attachment.repository';

const attachmentIdParams = z.object({ id: uuid });

/**
 * Internal: where an attachment's bytes are, for the gateway, which streams them (D15, D34); and
 * which blobs messages hold, for its sweep of uploads whose send never answered (ADR 8).
 */
export function attachmentRoutes(db: DataSource): Router {
  const router = Router();

  router.get('/attachments/:id', async (req, res) => {
    const { id } = parseOrThrow(attachmentIdParams, req.params, 'path');
    const a = await visibleAttachment(db.manager, identityOf(res), id);
    const location: AttachmentLocation = { id: a.id, conversationId: a.conversationId, storageKey: a.storageKey, externalUrl: a.externalUrl, fileName: a.fileName, mimeType: a.mimeType, size: a.size };
    res.json(location);
  });

  router.post('/attachments/held', async (req, res) => {
    if (identityOf(res).role !== 'super_admin') throw new AppError('forbidden', 'Only a super_admin identity asks which blobs are held');
    const { storageKeys } = parseOrThrow(heldAttachmentsBody, req.body, 'body');
    const answer: HeldAttachmentsAnswer = { held: await heldStorageKeys(db.manager, storageKeys) };
    res.json(answer);
  });

  return router;
}
