import { Transform, type Readable } from 'node:stream';
import type { Request, Response } from 'express';
import multer, { MulterError, type StorageEngine } from 'multer';
import type { z } from 'zod';
import { megabytes, type ChannelType, type StoredAttachment } from '@relaydesk/contracts';
import { AppError, parseOrThrow } from '@relaydesk/service-kit';
import { cleanFileName, decideAttachmentType } from './attachment-type';
import type { BlobStore } from './blob-store';
import { sniff, SNIFF_BYTES } from './sniff';

/** Where the one file of an upload goes, and whose rules it must meet (D15). */
export type UploadTarget = {
  blobs: BlobStore;
  channel: ChannelType;
  /**
   * The key to store the file under, asked once its type is allowed and before a byte is stored;
   * `fieldsBefore` are the form fields sent ahead of the file part.
   */
  reserveKey(fieldsBefore: Readonly<Record<string, unknown>>): Promise<string>;
  /** Deletes a stored file that no message will hold, without throwing: what it cannot delete now is left to a sweep. */
  discard(storageKey: string): Promise<void>;
};

type StoredFile = Express.Multer.File & StoredAttachment;

/** A failure of the blob store or of the key's reservation, kept apart from what was wrong with the upload. */
class StorageFailure extends Error {
  constructor(readonly failure: unknown) {
    super('storing the upload failed');
  }
}

const badUpload = (message: string, path = 'file'): AppError => new AppError('validation_failed', message, [{ path, message }]);

/**
 * D15: a multipart body of one `file` part beside the form fields `fields` allows. The file streams
 * into the blob store, its type told from its first bytes and its size counted against the
 * channel's limit for the type as it arrives; a refusal after that discards the stored file.
 */
export async function receiveUpload<F extends z.ZodObject>(req: Request, res: Response, target: UploadTarget, fields: F): Promise<{ fields: z.infer<F>; attachment: StoredAttachment }> {
  await parseMultipart(req, res, target, Object.keys(fields.shape));
  const file = req.file as StoredFile | undefined;
  try {
    if (!file) throw badUpload('Send the file in a multipart part named "file"');
    const sent = { ...(req.body as Record<string, unknown>) };
    if (sent['text'] === '') delete sent['text']; // an empty text box of a form is no text
    const { storageKey, fileName, mimeType, size } = file;
    return { fields: parseOrThrow(fields, sent, 'form fields'), attachment: { storageKey, fileName, mimeType, size } };
  } catch (error) {
    if (file) await target.discard(file.storageKey);
    throw error;
  }
}

function parseMultipart(req: Request, res: Response, target: UploadTarget, fieldNames: string[]): Promise<void> {
  const receive = multer({
    storage: new BlobStorage(target),
    limits: { files: 1, fields: 4, parts: 6, fieldSize: 64 * 1024, fieldNameSize: 100, headerPairs: 20 },
    defParamCharset: 'utf8',
  }).single('file');
  return new Promise((resolve, reject) => {
    receive(req, res, (error: unknown) => (error === undefined || error === null ? resolve() : reject(errorOfUpload(error, fieldNames))));
  });
}

function errorOfUpload(error: unknown, fieldNames: string[]): Error {
  if (error instanceof AppError) return error;
  if (error instanceof StorageFailure) return error.failure instanceof Error ? error.failure : new Error(String(error.failure));
  if (error instanceof MulterError) {
    switch (error.code) {
      case 'LIMIT_FILE_COUNT':
      case 'LIMIT_UNEXPECTED_FILE':
        return badUpload('Send exactly one file, in the part named "file"');
      case 'LIMIT_FIELD_VALUE':
        return badUpload(`The ${error.field ?? 'text'} is too long`, error.field ?? 'text');
      case 'LIMIT_PART_COUNT':
      case 'LIMIT_FIELD_COUNT':
        return badUpload(`Send one "file" part and at most the fields ${fieldNames.map((n) => `"${n}"`).join(', ')}`, '(root)');
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

/** Streams the one file of an upload into the blob store under the target's key. */
class BlobStorage implements StorageEngine {
  constructor(private readonly target: UploadTarget) {}

  _handleFile(req: Request, file: Express.Multer.File, done: (error?: unknown, info?: Partial<StoredFile>) => void): void {
    this.store(file, { ...(req.body as Record<string, unknown>) }).then(
      (stored) => done(null, stored),
      (error: unknown) => {
        file.stream.resume(); // let the parser read on to the end of the body
        done(error);
      },
    );
  }

  _removeFile(_req: Request, file: Express.Multer.File, done: (error: Error | null) => void): void {
    void this.target.discard((file as StoredFile).storageKey).then(() => done(null));
  }

  private async store(file: Express.Multer.File, fieldsBefore: Record<string, unknown>): Promise<Partial<StoredFile>> {
    const { blobs, channel } = this.target;
    const fileName = cleanFileName(file.originalname);
    const head = await readHead(file.stream, SNIFF_BYTES);
    if (head.length === 0) throw badUpload(`The file "${fileName}" is empty`);
    const { mimeType, maxBytes } = decideAttachmentType(channel, fileName, await sniff(head));

    const tooLarge = `"${fileName}" is larger than the ${megabytes(maxBytes)} a ${channel} conversation takes for ${mimeType} files`;
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

    const storageKey = await this.target.reserveKey(fieldsBefore).catch((error: unknown) => {
      throw new StorageFailure(error);
    });
    try {
      await blobs.put(storageKey, counted, { contentType: mimeType });
    } catch (error) {
      await this.target.discard(storageKey);
      throw refusal ?? (error instanceof AppError ? error : new StorageFailure(error));
    }
    return { storageKey, fileName, mimeType, size };
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
