import type { Readable } from 'node:stream';

export type PutOptions = { contentType: string };

/** Where attachment bytes live; keys are `segment/segment/…` of letters, digits, `.`, `_` and `-`. */
export interface BlobStore {
  /** Stores the whole body under `key`, or nothing when the body fails part-way. */
  put(key: string, body: Readable | Buffer, options: PutOptions): Promise<{ size: number }>;
  /** The stored bytes; throws `BlobNotFoundError` for a key that holds nothing. */
  get(key: string): Promise<Readable>;
  /** Removes the blob; a key that holds nothing is fine. */
  delete(key: string): Promise<void>;
  /** Throws while the store is unreachable (for GET /ready). */
  check(): Promise<void>;
}

export class BlobNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`No blob under ${key}`);
    this.name = 'BlobNotFoundError';
  }
}

export class InvalidBlobKeyError extends Error {
  constructor(readonly key: string) {
    super(`Not a valid blob key: ${JSON.stringify(key.slice(0, 100))}`);
    this.name = 'InvalidBlobKeyError';
  }
}

const segment = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Refuses keys that could leave the store's root: no `..`, no absolute paths, no odd characters. */
export function assertBlobKey(key: string): void {
  const segments = key.split('/');
  if (key.length > 500 || !segments.every((s) => segment.test(s) && !s.includes('..'))) throw new InvalidBlobKeyError(key);
}
