import { Readable } from 'node:stream';
import { BlobNotFoundError, type BlobStore } from '../src';

const bytesOf = async (stream: Readable): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/** What every BlobStore does, run against each implementation. */
export function blobStoreContract(store: () => BlobStore, prefix: string): void {
  const key = (name: string) => `${prefix}/${name}`;

  it('keeps a buffer and a stream byte for byte and answers their size', async () => {
    const bytes = Buffer.from('Frühling 🌸 \u0000\u00ff binary too');
    expect(await store().put(key('buffer'), bytes, { contentType: 'application/octet-stream' })).toEqual({ size: bytes.length });
    expect(await bytesOf(await store().get(key('buffer')))).toEqual(bytes);

    const parts = [Buffer.alloc(70_000, 1), Buffer.alloc(5, 2)];
    expect(await store().put(key('stream'), Readable.from(parts), { contentType: 'image/png' })).toEqual({ size: 70_005 });
    expect(await bytesOf(await store().get(key('stream')))).toEqual(Buffer.concat(parts));
  });

  it('stores nothing when the body fails part-way, and rejects with the body’s own error', async () => {
    const gone = new Error('the client went away');
    async function* failing() {
      yield Buffer.from('half a file');
      throw gone;
    }
    await expect(store().put(key('failed'), Readable.from(failing()), { contentType: 'text/plain' })).rejects.toBe(gone);
    await expect(store().get(key('failed'))).rejects.toBeInstanceOf(BlobNotFoundError);

    async function* failingLate() {
      for (let i = 0; i < 7; i++) yield Buffer.alloc(1_000_000, i); // past one part of a multipart upload
      throw gone;
    }
    await expect(store().put(key('failed-late'), Readable.from(failingLate()), { contentType: 'text/plain' })).rejects.toThrow();
    await expect(store().get(key('failed-late'))).rejects.toBeInstanceOf(BlobNotFoundError);
  });

  it('deletes, and a missing key is BlobNotFoundError; deleting it again is fine', async () => {
    await store().put(key('gone'), Buffer.from('x'), { contentType: 'text/plain' });
    await store().delete(key('gone'));
    await expect(store().get(key('gone'))).rejects.toBeInstanceOf(BlobNotFoundError);
    await expect(store().delete(key('gone'))).resolves.toBeUndefined();
  });

  it('refuses keys that could leave the store', async () => {
    for (const bad of ['../outside', 'a/../../etc/passwd', '/etc/passwd', 'a//b', '.hidden', 'a/..', 'a\\b', 'with space', '']) {
      await expect(store().put(bad, Buffer.from('x'), { contentType: 'text/plain' })).rejects.toThrow('Not a valid blob key');
      await expect(store().get(bad)).rejects.toThrow('Not a valid blob key');
    }
  });
}
