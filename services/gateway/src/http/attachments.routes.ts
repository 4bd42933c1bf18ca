import { Router, type RequestHandler } from 'express';
import { sendBlob, type BlobStore } from '@relaydesk/blob-store';
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
    // A connector's file that was never copied to us stays at its own address, if it is a web one.
    if (!a.storageKey) {
      if (!/^https?:\/\//i.test(a.externalUrl ?? '')) throw new AppError('not_found', 'The file is not at a web address Relaydesk can send you to');
      return res.redirect(302, a.externalUrl!);
    }

    await sendBlob(res, deps.blobs, { ...a, storageKey: a.storageKey });
  });

  return router;
}
