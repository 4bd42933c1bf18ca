import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { assertBlobKey, LocalDirectoryBlobStore } from '../src';
import { blobStoreContract } from './blob-store-contract';

describe('LocalDirectoryBlobStore', () => {
  let parent: string;
  let root: string;

  beforeAll(async () => {
    parent = await mkdtemp(path.join(tmpdir(), 'blob-store-'));
    root = path.join(parent, 'blobs');
  });
  afterAll(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  blobStoreContract(() => new LocalDirectoryBlobStore(root), 'contract');

  it('D15: path traversal is refused and nothing is written outside its directory', async () => {
    const store = new LocalDirectoryBlobStore(root);
    for (const key of ['../escaped', '../../escaped', 'attachments/../../escaped', '%2e%2e/escaped', '..%2fescaped']) {
      await expect(store.put(key, Buffer.from('x'), { contentType: 'text/plain' })).rejects.toThrow('Not a valid blob key');
    }
    expect(existsSync(path.join(parent, 'escaped'))).toBe(false);
    expect(await readdir(parent)).toEqual(['blobs']);
  });

  it('D15: a failed body leaves no partial file behind', async () => {
    const store = new LocalDirectoryBlobStore(root);
    await store.put('partial/ok', Buffer.from('x'), { contentType: 'text/plain' });
    async function* failing() {
      yield Buffer.alloc(100_000);
      throw new Error('over the limit');
    }
    await expect(store.put('partial/failed', Readable.from(failing()), { contentType: 'text/plain' })).rejects.toThrow('over the limit');
    expect(await readdir(path.join(root, 'partial'))).toEqual(['ok']);
  });

  it('accepts the keys the gateway makes', () => {
    expect(() => assertBlobKey('attachments/2025/01/0193f0c2-7a5e-7c3d-9a4b-1f2e3d4c5b6a')).not.toThrow();
    expect(() => assertBlobKey('a'.repeat(501))).toThrow('Not a valid blob key');
  });
});
