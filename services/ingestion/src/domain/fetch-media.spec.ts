import { createServer, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalDirectoryBlobStore } from '@relaydesk/blob-store';
import { AppError } from '@relaydesk/service-kit';
import { fetchMediaToBlobs, MediaGoneError, mediaKey, typeOfFetched, type MediaRequest } from './fetch-media';

const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/** A platform's file server: each path answers as the test says. */
async function fileServer(routes: Record<string, (res: ServerResponse) => void>): Promise<{ server: Server; host: string; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const route = routes[req.url ?? ''];
    if (route) route(res);
    else res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, host: `127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

describe('fetchMediaToBlobs', () => {
  let dir: string;
  let blobs: LocalDirectoryBlobStore;
  let platform: Awaited<ReturnType<typeof fileServer>>;
  const request = (url: string, over: Partial<MediaRequest> = {}): MediaRequest => ({
    url: `http://${platform.host}${url}`,
    allowedHosts: [platform.host],
    maxBytes: 1000,
    key: mediaKey('0190e1d2-0000-7000-8000-000000000001', url),
    fileName: 'photo.png',
    declaredMimeType: 'application/octet-stream',
    ...over,
  });
  const stored = async () => (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).length;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'relaydesk-media-'));
    blobs = new LocalDirectoryBlobStore(dir);
    const big = Buffer.alloc(5000, 1);
    platform = await fileServer({
      '/photo': (res) => res.writeHead(200, { 'content-type': 'image/jpeg' }).end(png),
      '/declared-big': (res) => res.writeHead(200, { 'content-length': String(big.length) }).end(big),
      '/streamed-big': (res) => {
        res.writeHead(200, { 'transfer-encoding': 'chunked' });
        for (let i = 0; i < 10; i++) res.write(big.subarray(0, 500));
        res.end();
      },
      '/gone': (res) => res.writeHead(404).end(),
      '/down': (res) => res.writeHead(502).end(),
      '/moved': (res) => res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end(),
    });
  });

  afterAll(async () => {
    platform.server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('D15: stores the bytes under the key and takes the type the bytes show, not the one declared', async () => {
    const ref = await fetchMediaToBlobs(blobs, request('/photo'));
    expect(ref).toEqual({ storageKey: expect.stringMatching(/^inbound\/0190e1d2-0000-7000-8000-000000000001\/[0-9a-f]{64}$/), fileName: 'photo.png', mimeType: 'image/png', size: png.length });
  });

  it('D15: a file over the limit, declared or only streamed, is refused and leaves no blob', async () => {
    const before = await stored();
    await expect(fetchMediaToBlobs(blobs, request('/declared-big'))).rejects.toThrow(MediaGoneError);
    await expect(fetchMediaToBlobs(blobs, request('/streamed-big'))).rejects.toThrow(/over the channel's limit of 1000 bytes/);
    expect(await stored()).toBe(before);
  });

  it('D15: a sender’s declared type is kept when the bytes show none, but never one a browser would run or render as a page', () => {
    expect(typeOfFetched({ mimeType: 'image/png' }, 'text/html')).toBe('image/png');
    expect(typeOfFetched('text', 'text/csv')).toBe('text/csv');
    expect(typeOfFetched(undefined, 'application/vnd.android.package-archive')).toBe('application/vnd.android.package-archive');
    expect(typeOfFetched('text', 'text/html')).toBe('text/plain');
    expect(typeOfFetched('text', 'image/svg+xml')).toBe('text/plain');
    expect(typeOfFetched(undefined, 'application/xhtml+xml')).toBe('application/octet-stream');
  });

  it('never asks a host the channel does not name, and follows no redirect (server-side request forgery)', async () => {
    const hits = platform.hits.length;
    await expect(fetchMediaToBlobs(blobs, request('/photo', { url: 'http://127.0.0.1:1/photo' }))).rejects.toThrow(/not this channel's API host/);
    await expect(fetchMediaToBlobs(blobs, request('/photo', { url: 'file:///etc/passwd' }))).rejects.toThrow(MediaGoneError);
    expect(platform.hits.length).toBe(hits);
    await expect(fetchMediaToBlobs(blobs, request('/moved'))).rejects.toThrow(/HTTP 302/);
  });

  it('a file the platform does not have is gone for good; a failing server is worth another try (503)', async () => {
    await expect(fetchMediaToBlobs(blobs, request('/gone'))).rejects.toThrow(MediaGoneError);
    const down = await fetchMediaToBlobs(blobs, request('/down')).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(AppError);
    expect((down as AppError).code).toBe('unavailable');
  });
});
