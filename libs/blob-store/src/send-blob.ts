import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import { AppError } from '@relaydesk/service-kit';
import { BlobNotFoundError, InvalidBlobKeyError, type BlobStore } from './blob-store';

export type StoredFile = { storageKey: string; fileName: string; mimeType: string; size: number };

/**
 * Answers a stored file as a download: its name per RFC 6266, its type as stored and never sniffed
 * by the browser, nothing of it run as a page. 404 when the store no longer holds it.
 */
export async function sendBlob(res: Response, blobs: BlobStore, file: StoredFile): Promise<void> {
  const bytes = await blobs.get(file.storageKey).catch((error: unknown) => {
    if (error instanceof BlobNotFoundError) throw new AppError('not_found', 'The file is no longer stored');
    if (error instanceof InvalidBlobKeyError) throw new AppError('not_found', 'The file is not in this store');
    throw error;
  });
  res.attachment(file.fileName);
  res.setHeader('Content-Type', file.mimeType);
  res.setHeader('Content-Length', String(file.size));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'private, max-age=3600');
  try {
    await pipeline(bytes, res);
  } catch {
    res.destroy(); // the caller went away, or the store failed mid-file: the status is sent already
  }
}
