import { blobStoreConfig, createBlobStore, LocalDirectoryBlobStore } from '../src';
import { S3BlobStore } from '../src/s3-blob-store';

describe('createBlobStore', () => {
  it('keeps blobs in the local directory unless a bucket is set', async () => {
    expect(await createBlobStore(blobStoreConfig.parse({ BLOB_DIR: 'var/test-blobs' }))).toBeInstanceOf(LocalDirectoryBlobStore);
    expect(await createBlobStore(blobStoreConfig.parse({ BLOB_DIR: 'var/test-blobs', S3_BUCKET: '' }))).toBeInstanceOf(LocalDirectoryBlobStore);
  });

  it('keeps them in S3 when a bucket is set', async () => {
    expect(await createBlobStore(blobStoreConfig.parse({ S3_BUCKET: 'relaydesk-blobs', S3_ENDPOINT: 'http://127.0.0.1:9000' }))).toBeInstanceOf(S3BlobStore);
  });
});
