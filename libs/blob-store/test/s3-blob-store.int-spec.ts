import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { S3BlobStore } from '../src/s3-blob-store';
import { blobStoreContract } from './blob-store-contract';

/** The S3 adapter against a real S3-compatible server (MinIO in docker-compose.yml); needs S3_ENDPOINT. */
const endpoint = process.env['S3_ENDPOINT'];
if (!endpoint) console.log('skipped: no S3_ENDPOINT (set it, and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, to run the S3 blob store tests)');

(endpoint ? describe : describe.skip)(endpoint ? 'S3BlobStore' : 'no S3_ENDPOINT: the S3 blob store', () => {
  const bucket = process.env['S3_BUCKET'] ?? `relaydesk-test-${randomUUID().slice(0, 8)}`;
  const region = process.env['S3_REGION'] ?? 'us-east-1';

  beforeAll(async () => {
    const s3 = new S3Client({ region, endpoint, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((error: { name?: string }) => {
      if (error.name !== 'BucketAlreadyOwnedByYou' && error.name !== 'BucketAlreadyExists') throw error;
    });
  });

  blobStoreContract(() => new S3BlobStore({ bucket, region, endpoint }), `contract-${randomUUID()}`);
});
