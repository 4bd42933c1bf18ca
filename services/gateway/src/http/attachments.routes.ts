import { pipeline } from 'node:stream/promises';
import { Router, type RequestHandler } from 'express';
import { BlobNotFoundError, type BlobStore } from '@relaydesk/blob-store';
import { attachmentLocation } from '@relaydesk/contracts';
import { AppError } from '@relaydesk/service-kit';
import { reply, succeeded, type ServiceClient } from './service-client';

/** D15, D34: a message's file, for an operator who may see its conversation (the conversation service decides). */
export function attachmentRoutes(deps: { conversation: ServiceClient; blobs: BlobStore }, requireCaller: RequestHandler): Router {
  const router = Router();

  router.get('/attachments/:id', requireCaller, async (req, res) => {
    const answer = await deps.conversation.call(res, 'GET', `/attachments/${encodeURIComponent(String(req.params['id']))}`);
    if (!succeeded(answer)) return reply(res, answer);
    const a = attachmentLocation.parse(answer.body);
    // A connector's file that was never copied to us stays at its own address.
    if (!a.storageKey) return res.redirect(302, a.externalUrl!);

    const bytes = await deps.blobs.get(a.storageKey).catch((error: unknown) => {
      throw error instanceof BlobNotFoundError ? new AppError('not_found', 'The file of this attachment is no longer stored') : error;
    });
    res.attachment(a.fileName); // RFC 6266: filename="…" and, for names beyond Latin-1, filename*=UTF-8''…
    res.setHeader('Content-Type', a.mimeType);
    res.setHeader('Content-Length', String(a.size));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'private, max-age=3600');
    try {
      await pipeline(bytes, res);
    } catch {
      res.destroy(); // the caller went away, or the store failed mid-file: the status is sent already
    }
  });

  return router;
}
