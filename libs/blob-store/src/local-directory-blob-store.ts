import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertBlobKey, BlobNotFoundError, InvalidBlobKeyError, type BlobStore, type PutOptions } from './blob-store';

/** Blobs as files under one directory: the embedded default, for one machine. */
export class LocalDirectoryBlobStore implements BlobStore {
  private readonly root: string;

  constructor(directory: string) {
    this.root = path.resolve(directory);
  }

  async put(key: string, body: Readable | Buffer, _options: PutOptions): Promise<{ size: number }> {
    const file = this.pathOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    // Written beside its place and renamed when complete, so a failed body leaves no file.
    const partial = `${file}.${randomBytes(6).toString('hex')}.partial`;
    let size = 0;
    const count = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        done(null, chunk);
      },
    });
    try {
      // Opened before the pipeline, so a body that fails at once cannot leave a file created after the clean-up.
      const handle = await open(partial, 'wx');
      await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, count, handle.createWriteStream());
      await rename(partial, file);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    return { size };
  }

  async get(key: string): Promise<Readable> {
    const file = this.pathOf(key);
    try {
      if (!(await stat(file)).isFile()) throw new BlobNotFoundError(key);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(key);
      throw error;
    }
    return createReadStream(file);
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async check(): Promise<void> {
    await mkdir(this.root, { recursive: true });
  }

  private pathOf(key: string): string {
    assertBlobKey(key);
    const file = path.resolve(this.root, ...key.split('/'));
    if (!file.startsWith(this.root + path.sep)) throw new InvalidBlobKeyError(key);
    return file;
  }
}
