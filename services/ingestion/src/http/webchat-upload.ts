import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Redis } from 'ioredis';
import { receiveUpload, type BlobStore, type UploadTarget } from '@relaydesk/blob-store';
import type { Bus } from '@relaydesk/bus';
import { webchatUploadFields } from '@relaydesk/contracts';
import { AppError } from '@relaydesk/service-kit';
import { keptMessageId, sendVisitorMessage, visitorFileKey } from '../domain/webchat-send-message';
import type { Visitor } from '../domain/visitor-token';
import type { WebchatRepository } from '../store/webchat.repository';

type VisitorFileDeps = { bus: Bus; redis: Redis; webchat: WebchatRepository; blobs: BlobStore };

/** An upload whose clientMessageId names a message kept already: that message stands, and this file is not stored. */
class SentBefore extends Error {
  constructor(readonly id: string) {
    super('this message was sent before');
  }
}

const clientMessageIdOf = (fields: Readonly<Record<string, unknown>>): string | undefined => {
  const value = fields['clientMessageId'];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/**
 * D15: a visitor's file, multipart: `clientMessageId` (the widget's id of the message, before the
 * file; without it each upload is a new message), one `file` and an optional caption `text`. The
 * file is stored under a key derived from the message, so a retry writes the same blob, and a
 * retry of a message kept already stores nothing and answers that message again.
 */
export async function sendVisitorFile(req: Request, res: Response, deps: VisitorFileDeps, visitor: Visitor): Promise<{ id: string; duplicate: boolean }> {
  let keyedBy: string | undefined;
  const target: UploadTarget = {
    blobs: deps.blobs,
    channel: 'webchat',
    reserveKey: async (fieldsBefore) => {
      keyedBy = clientMessageIdOf(fieldsBefore) ?? randomUUID();
      const kept = await keptMessageId(deps.webchat, visitor, keyedBy);
      if (kept) throw new SentBefore(kept);
      return visitorFileKey(visitor, keyedBy);
    },
    discard: (storageKey) => deps.blobs.delete(storageKey).catch(() => undefined),
  };
  const upload = await receiveUpload(req, res, target, webchatUploadFields).catch((error: unknown) => {
    if (error instanceof SentBefore) return error;
    throw error;
  });
  if (upload instanceof SentBefore) return { id: upload.id, duplicate: true };

  const { fields, attachment } = upload;
  const clientMessageId = fields.clientMessageId ?? keyedBy!;
  if (clientMessageId !== keyedBy) {
    await target.discard(attachment.storageKey);
    const message = 'must come before the file part, whose blob is named after it';
    throw new AppError('validation_failed', `Invalid form fields: clientMessageId: ${message}`, [{ path: 'clientMessageId', message }]);
  }
  return sendVisitorMessage(deps, visitor, { clientMessageId, text: fields.text, attachment });
}
