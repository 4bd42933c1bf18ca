import { z } from 'zod';
import type { BlobStore } from './blob-store';
import { LocalDirectoryBlobStore } from './local-directory-blob-store';

/** The environment of a blob store; a service extends its config with these. */
export const blobStoreConfig = z.object({
  /** The local store's directory, relative to the working directory (the repository when run from it). */
  BLOB_DIR: z.string().min(1).default('var/blobs'),
  /** Set (not empty): blobs go to this S3 bucket instead of BLOB_DIR. */
  S3_BUCKET: z.union([z.literal(''), z.string().min(3).max(63)]).optional(),
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
});
export type BlobStoreConfig = z.infer<typeof blobStoreConfig>;

/** The AWS SDK is loaded only for S3: elsewhere it would add about 0.2 s to every service's start. */
export async function createBlobStore(config: BlobStoreConfig): Promise<BlobStore> {
  if (config.S3_BUCKET) {
    const { S3BlobStore } = await import('./s3-blob-store');
    return new S3BlobStore({ bucket: config.S3_BUCKET, region: config.S3_REGION, endpoint: config.S3_ENDPOINT });
  }
  return new LocalDirectoryBlobStore(config.BLOB_DIR);
}
