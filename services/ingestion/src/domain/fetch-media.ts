import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { sniff, SNIFF_BYTES, type BlobStore } from '@relaydesk/blob-store';
import type { AttachmentRef } from '@relaydesk/contracts';
import { AppError } from '@relaydesk/service-kit';

const FETCH_TIMEOUT_MS = 30_000;

/** The platform does not have the file (an unknown or expired media id): retrying will not help. */
export class MediaGoneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MediaGoneError';
  }
}

export type MediaRequest = {
  url: string;
  /** Hosts the URL may name: the channel's configured API hosts, never one a webhook chose. */
  allowedHosts: readonly string[];
  headers?: Record<string, string>;
  maxBytes: number;
  /** The blob key: derived from the platform's file id, so a redelivered webhook writes the same blob. */
  key: string;
  fileName: string;
  /** What the platform says the file is; the bytes decide when they can tell. */
  declaredMimeType: string;
};

const unavailable = (message: string): AppError => new AppError('unavailable', message);

/** A blob key for a platform file: its id hashed, so any characters the platform uses are safe. */
export const mediaKey = (channelId: string, fileId: string): string =>
  `inbound/${channelId}/${createHash('sha256').update(fileId).digest('hex')}`;

/**
 * Fetches a client's file from the platform into the blob store (server-side request forgery:
 * only from `allowedHosts`, no redirects). Answers the reference an inbound message carries.
 * A platform error that retrying cannot mend throws MediaGoneError; a passing failure, 503.
 */
export async function fetchMediaToBlobs(blobs: BlobStore, request: MediaRequest): Promise<AttachmentRef> {
  const url = new URL(request.url);
  if (!['http:', 'https:'].includes(url.protocol) || !request.allowedHosts.includes(url.host)) {
    throw new MediaGoneError(`The file is at ${url.host}, which is not this channel's API host`);
  }
  let response: Response;
  try {
    // A redirect is answered, not followed: it could lead anywhere.
    response = await fetch(url, { headers: request.headers, redirect: 'manual', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch {
    throw unavailable(`The platform's file server cannot be reached at ${url.host}; try again`);
  }
  if (response.status >= 500 || response.status === 429) throw unavailable(`The platform's file server answered HTTP ${response.status}; try again`);
  if (!response.ok || !response.body) throw new MediaGoneError(`The platform did not hand over the file: HTTP ${response.status}`);
  if (Number(response.headers.get('content-length') ?? 0) > request.maxBytes) throw new MediaGoneError(`The file is over the channel's limit of ${request.maxBytes} bytes`);

  const head: Buffer[] = [];
  const body = Readable.from(limited(response.body as WebReadableStream<Uint8Array>, request.maxBytes, head));
  const { size } = await blobs.put(request.key, body, { contentType: request.declaredMimeType }).catch((error: unknown) => {
    if (error instanceof MediaGoneError) throw error;
    throw unavailable(`The file could not be fetched and stored: ${error instanceof Error ? error.message : String(error)}`);
  });
  const sniffed = await sniff(Buffer.concat(head).subarray(0, SNIFF_BYTES));
  return { storageKey: request.key, fileName: request.fileName, mimeType: typeOfFetched(sniffed, request.declaredMimeType), size };
}

/** Types a browser runs or renders as a page: a sender may claim them, but we never serve a file as one. */
const activeContent = /^(text\/(html|javascript|xml)|application\/(xhtml\+xml|javascript|ecmascript|xml)|image\/svg\+xml)$/i;

/** The bytes' type when they show one; else the declared type, unless it is active content (then text or bytes). */
export function typeOfFetched(sniffed: Awaited<ReturnType<typeof sniff>>, declared: string): string {
  if (sniffed && sniffed !== 'text') return sniffed.mimeType;
  if (!activeContent.test(declared)) return declared;
  return sniffed === 'text' ? 'text/plain' : 'application/octet-stream';
}

/** The body's bytes, failing past `maxBytes`; the first ones are kept in `head` for sniffing. */
async function* limited(body: AsyncIterable<Uint8Array>, maxBytes: number, head: Buffer[]): AsyncGenerator<Buffer> {
  let seen = 0;
  for await (const chunk of body) {
    if (seen < SNIFF_BYTES) head.push(Buffer.from(chunk));
    seen += chunk.length;
    if (seen > maxBytes) throw new MediaGoneError(`The file is over the channel's limit of ${maxBytes} bytes`);
    yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
}
