import { Router, type RequestHandler } from 'express';
import { sendBlob, type BlobStore } from '@relaydesk/blob-store';
import { attachmentLocation } from '@relaydesk/contracts';
import { AppError, verifyFileLink } from '@relaydesk/service-kit';
import { systemCaller } from '../domain/system-caller';
import { reply, succeeded, type ServiceClient } from './service-client';

/**
 * D15, D34: a message's file, for an operator who may see its conversation (the conversation
 * service decides); or, with `?link=`, for whoever holds a transcript mail's signed link to it (D23).
 */
export function attachmentRoutes(deps: { conversation: ServiceClient; blobs: BlobStore; secret: string }, requireCaller: RequestHandler): Router {
  const router = Router();
  const callerOrLink: RequestHandler = (req, res, next) => (req.query['link'] === undefined ? requireCaller(req, res, next) : next());

  router.get('/attachments/:id', callerOrLink, async (req, res) => {
    const id = String(req.params['id']);
    const path = `/attachments/${encodeURIComponent(id)}`;
    const link = req.query['link'];
    if (link !== undefined && typeof link !== 'string') throw new AppError('validation_failed', 'Give one link', [{ path: 'link', message: 'must be given once' }]);
    if (link !== undefined) verifyFileLink(link, id, deps.secret);
    const answer = link === undefined ? await deps.conversation.call(res, 'GET', path) : await deps.conversation.callAs(systemCaller, 'GET', path);
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
