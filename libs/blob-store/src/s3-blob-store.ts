import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, NoSuchKey, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { assertBlobKey, BlobNotFoundError, type BlobStore, type PutOptions } from './blob-store';

export type S3BlobStoreOptions = {
  bucket: string;
  region: string;
  /** An S3-compatible server (MinIO, …); such servers want path-style URLs. */
  endpoint?: string | undefined;
};

/**
 * Blobs in an S3 bucket. Credentials come from the SDK's default chain (AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY, a profile, or the workload's role).
 */
export class S3BlobStore implements BlobStore {
  private readonly s3: S3Client;

  constructor(private readonly options: S3BlobStoreOptions) {
    const config: S3ClientConfig = { region: options.region };
    // S3-compatible servers want path-style URLs, and not all of them know the SDK's default checksums.
    if (options.endpoint) Object.assign(config, { endpoint: options.endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
    this.s3 = new S3Client(config);
  }

  async put(key: string, body: Readable | Buffer, { contentType }: PutOptions): Promise<{ size: number }> {
    assertBlobKey(key);
    let size = 0;
    async function* counted(stream: Readable): AsyncGenerator<Buffer> {
      for await (const chunk of stream) {
        size += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
    }
    // A body of unknown length goes up in parts; a failed body aborts the multipart upload.
    const Body = Buffer.isBuffer(body) ? body : Readable.from(counted(body));
    await new Upload({ client: this.s3, params: { Bucket: this.options.bucket, Key: key, Body, ContentType: contentType } }).done();
    return { size: Buffer.isBuffer(body) ? body.length : size };
  }

  async get(key: string): Promise<Readable> {
    assertBlobKey(key);
    try {
      const answer = await this.s3.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }));
      if (!answer.Body) throw new BlobNotFoundError(key);
      return answer.Body as Readable;
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') throw new BlobNotFoundError(key);
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    assertBlobKey(key);
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: key }));
  }

  async check(): Promise<void> {
    await this.s3.send(new HeadBucketCommand({ Bucket: this.options.bucket }));
  }
}
