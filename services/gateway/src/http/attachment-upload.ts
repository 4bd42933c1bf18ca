import { Transform, type Readable } from 'node:stream';
import type { Request, Response } from 'express';
import multer, { MulterError, type StorageEngine } from 'multer';
import { v7 as uuidv7 } from 'uuid';
import { errorBody, megabytes, replyCheck, uploadFields, type ChannelType, type StoredAttachment } from '@relaydesk/contracts';
import { AppError, parseOrThrow } from '@relaydesk/service-kit';
import { sniff, SNIFF_BYTES, type BlobStore } from '@relaydesk/blob-store';
import { cleanFileName, decideAttachmentType } from '../domain/attachment-type';
import type { PendingUploads } from '../store/pending-uploads';
import { succeeded, type ServiceAnswer, type ServiceClient } from './service-client';

export type Upload = { text?: string; attachment: StoredAttachment };

type StoredFile = Express.Multer.File & StoredAttachment;

/** A failure of the blob store or of the database, kept apart from what was wrong with the upload. */
class StorageFailure extends Error {
  constructor(readonly failure: unknown) {
    super('storing the upload failed');
  }
}

const badUpload = (message: string, path = 'file'): AppError => new AppError('validation_failed', message, [{ path, message }]);

/**
 * D15: multipart POST /conversations/:id/messages. The conversation service first says whether
 * the caller may reply there at all and through which channel; then the one `file` part streams
 * into the blob store, its type told from its first bytes and its size counted against that
 * channel's limit for the type as it arrives. A refusal after that deletes the stored blob again.
 * The blob stays pending (ADR 8) until the send's answer says whether a message holds it.
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

    await this.parse(req, res, channel);
    const file = req.file as StoredFile | undefined;
    try {
      if (!file) throw badUpload('Send the file in a multipart part named "file"');
      const fields = { ...(req.body as Record<string, unknown>) };
      if (fields['text'] === '') delete fields['text']; // an empty text box of a form is no text
      const { text } = parseOrThrow(uploadFields, fields, 'form fields');
      const { storageKey, fileName, mimeType, size } = file;
      return { ...(text === undefined ? {} : { text }), attachment: { storageKey, fileName, mimeType, size } };
    } catch (error) {
      if (file) await this.discard(file);
      throw error;
    }
  }

  /** Removes a stored upload that no message holds; if the store is down, the sweep does it later. */
  async discard(upload: Pick<StoredAttachment, 'storageKey'>): Promise<void> {
    await discardBlob(this.blobs, this.pending, upload.storageKey);
  }

  /** A message holds the upload now: it is no longer the sweep's. */
  async held(upload: Pick<StoredAttachment, 'storageKey'>): Promise<void> {
    await this.pending.settle(upload.storageKey).catch(() => undefined); // the sweep will find it held
  }

  private parse(req: Request, res: Response, channel: ChannelType): Promise<void> {
    const receive = multer({
      storage: new BlobStorage(this.blobs, this.pending, channel),
      limits: { files: 1, fields: 4, parts: 6, fieldSize: 64 * 1024, fieldNameSize: 100, headerPairs: 20 },
      defParamCharset: 'utf8',
    }).single('file');
    return new Promise((resolve, reject) => {
      receive(req, res, (error: unknown) => (error === undefined || error === null ? resolve() : reject(errorOfUpload(error))));
    });
  }
}

/** The conversation service's refusal, in its own words. */
function refusalOf(answer: ServiceAnswer): AppError {
  const parsed = errorBody.safeParse(answer.body);
  if (!parsed.success) return new AppError('unavailable', 'The conversation service answered unexpectedly; try again shortly');
  const { code, message, details } = parsed.data.error;
  return new AppError(code, message, details);
}

function errorOfUpload(error: unknown): Error {
  if (error instanceof AppError) return error;
  if (error instanceof StorageFailure) return error.failure instanceof Error ? error.failure : new Error(String(error.failure));
  if (error instanceof MulterError) {
    switch (error.code) {
      case 'LIMIT_FILE_COUNT':
      case 'LIMIT_UNEXPECTED_FILE':
        return badUpload('Send exactly one file, in the part named "file"');
      case 'LIMIT_FIELD_VALUE':
        return badUpload('The text is too long', error.field ?? 'text');
      case 'LIMIT_PART_COUNT':
      case 'LIMIT_FIELD_COUNT':
        return badUpload('Send one "file" part and at most a "text" field', '(root)');
      case 'LIMIT_FILE_SIZE': // BlobStorage counts sizes itself; multer has no fileSize limit
        return new AppError('payload_too_large', 'The file is too large for this channel');
      case 'LIMIT_FIELD_KEY':
      case 'MISSING_FIELD_NAME':
        return badUpload(`The multipart body is not valid: ${error.message}`, '(root)');
    }
  }
  // busboy's words for a body that is not valid multipart, or was cut off
  return badUpload(`The multipart body is not valid: ${(error as Error).message}`, '(root)');
}

/** Streams the one file of an upload into the blob store under a new key. */
class BlobStorage implements StorageEngine {
  constructor(
    private readonly blobs: BlobStore,
    private readonly pending: PendingUploads,
    private readonly channel: ChannelType,
  ) {}

  _handleFile(_req: Request, file: Express.Multer.File, done: (error?: unknown, info?: Partial<StoredFile>) => void): void {
    this.store(file).then(
      (stored) => done(null, stored),
      (error: unknown) => {
        file.stream.resume(); // let the parser read on to the end of the body
        done(error);
      },
    );
  }

  _removeFile(_req: Request, file: Express.Multer.File, done: (error: Error | null) => void): void {
    void discardBlob(this.blobs, this.pending, (file as StoredFile).storageKey).then(() => done(null));
  }

  private async store(file: Express.Multer.File): Promise<Partial<StoredFile>> {
    const fileName = cleanFileName(file.originalname);
    const head = await readHead(file.stream, SNIFF_BYTES);
    if (head.length === 0) throw badUpload(`The file "${fileName}" is empty`);
    const { mimeType, maxBytes } = decideAttachmentType(this.channel, fileName, await sniff(head));

    const tooLarge = `"${fileName}" is larger than the ${megabytes(maxBytes)} a ${this.channel} conversation takes for ${mimeType} files`;
    if (head.length > maxBytes) throw new AppError('payload_too_large', tooLarge);

    // Piped, not iterated: when the store gives up on the body, the part's stream is left to be
    // read to its end rather than destroyed, and the refusal below is what the caller hears.
    let size = 0;
    let refusal: AppError | undefined;
    const refuse = (error: AppError): AppError => (refusal ??= error);
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        done(size > maxBytes ? refuse(new AppError('payload_too_large', tooLarge)) : null, chunk);
      },
    });
    file.stream.on('error', (error) => counted.destroy(refuse(badUpload(`The upload was cut off: ${error.message}`))));
    counted.write(head);
    file.stream.pipe(counted);

    const storageKey = `attachments/${uuidv7()}`;
    // Pending before a byte is stored, so that a crash half-way leaves the sweep a row to find.
    await this.pending.add(storageKey).catch((error: unknown) => {
      throw new StorageFailure(error);
    });
    try {
      await this.blobs.put(storageKey, counted, { contentType: mimeType });
    } catch (error) {
      await discardBlob(this.blobs, this.pending, storageKey);
      throw refusal ?? (error instanceof AppError ? error : new StorageFailure(error));
    }
    return { storageKey, fileName, mimeType, size };
  }
}

/** Deletes a blob and its pending row; while the store is down both stay, for the sweep. */
async function discardBlob(blobs: BlobStore, pending: PendingUploads, storageKey: string): Promise<void> {
  try {
    await blobs.delete(storageKey);
    await pending.settle(storageKey);
  } catch {
    // the sweep deletes it later
  }
}

/** The first `bytes` of a stream (fewer if it ends first); the rest stays readable. */
function readHead(stream: Readable, bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const finish = (error?: Error) => {
      stream.off('readable', onReadable).off('end', onEnd).off('error', finish);
      if (error) reject(badUpload(`The upload was cut off: ${error.message}`));
      else resolve(Buffer.concat(chunks));
    };
    const onEnd = () => finish();
    const onReadable = () => {
      let chunk: Buffer | null;
      while (length < bytes && (chunk = stream.read() as Buffer | null) !== null) {
        chunks.push(chunk);
        length += chunk.length;
      }
      if (length >= bytes) finish();
    };
    stream.on('readable', onReadable).on('end', onEnd).on('error', finish);
  });
}
