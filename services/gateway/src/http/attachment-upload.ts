import type { Request, Response } from 'express';
import { v7 as uuidv7 } from 'uuid';
import { errorBody, replyCheck, uploadFields, type StoredAttachment } from '@relaydesk/contracts';
import { AppError } from '@relaydesk/service-kit';
import { receiveUpload, type BlobStore } from '@relaydesk/blob-store';
import type { PendingUploads } from '../store/pending-uploads';
import { succeeded, type ServiceAnswer, type ServiceClient } from './service-client';

export type Upload = { text?: string; attachment: StoredAttachment };

/**
 * D15: multipart POST /conversations/:id/messages. The conversation service first says whether
 * the caller may reply there at all and through which channel; then the one `file` part streams
 * into the blob store under that channel's rules (receiveUpload). The blob stays pending (ADR 8)
 * until the send's answer says whether a message holds it.
 */
export class AttachmentUploads {
  constructor(
    private readonly blobs: BlobStore,
    private readonly pending: PendingUploads,
    private readonly conversation: ServiceClient,
  ) {}

  async receive(req: Request, res: Response, idempotency: Record<string, string>): Promise<Upload> {
    const id = encodeURIComponent(String(req.params['id']));
    const check = await this.conversation.call(res, 'GET', `/conversations/${id}/reply-check`, undefined, idempotency);
    if (!succeeded(check)) throw refusalOf(check);
    const { channel } = replyCheck.parse(check.body);

    const target = { blobs: this.blobs, channel, reserveKey: () => this.reserveKey(), discard: (storageKey: string) => this.discard({ storageKey }) };
    const { fields, attachment } = await receiveUpload(req, res, target, uploadFields);
    return { ...(fields.text === undefined ? {} : { text: fields.text }), attachment };
  }

  /** Removes a stored upload that no message holds; if the store is down, the sweep does it later. */
  async discard(upload: Pick<StoredAttachment, 'storageKey'>): Promise<void> {
    try {
      await this.blobs.delete(upload.storageKey);
      await this.pending.settle(upload.storageKey);
    } catch {
      // the sweep deletes it later
    }
  }

  /** A message holds the upload now: it is no longer the sweep's. */
  async held(upload: Pick<StoredAttachment, 'storageKey'>): Promise<void> {
    await this.pending.settle(upload.storageKey).catch(() => undefined); // the sweep will find it held
  }

  /** A new key, pending before a byte is stored, so that a crash half-way leaves the sweep a row to find. */
  private async reserveKey(): Promise<string> {
    const storageKey = `attachments/${uuidv7()}`;
    await this.pending.add(storageKey);
    return storageKey;
  }
}

/** The conversation service's refusal, in its own words. */
function refusalOf(answer: ServiceAnswer): AppError {
  const parsed = errorBody.safeParse(answer.body);
  if (!parsed.success) return new AppError('unavailable', 'The conversation service answered unexpectedly; try again shortly');
  const { code, message, details } = parsed.data.error;
  return new AppError(code, message, details);
}
