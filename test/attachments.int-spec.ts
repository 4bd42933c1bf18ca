import amqp from 'amqplib';
import { randomBytes, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestEnv, HttpClient, startService, startStack, waitFor, Workspace, type Answer, type Stack, type TestEnv } from '@relaydesk/testing';
import { Client } from 'pg';

/** D15 attachments through the real stack: upload, history, download, delivery, and every refusal. */

const png1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const pdf = Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');
const exe = Buffer.concat([Buffer.from('MZ'), randomBytes(4000)]);

type Part = { name?: string; bytes: Buffer; fileName: string; type?: string };

function form(files: Part[], fields: Record<string, string> = {}): FormData {
  const body = new FormData();
  for (const [name, value] of Object.entries(fields)) body.append(name, value);
  for (const f of files) body.append(f.name ?? 'file', new Blob([f.bytes], { type: f.type ?? 'application/octet-stream' }), f.fileName);
  return body;
}

describe('attachments (D15)', () => {
  let env: TestEnv;
  let stack: Stack;
  let db: Client;
  let blobDir: string;
  let admin: HttpClient;
  let ann: HttpClient; // Sales, holds Bob's webchat conversation
  let ben: HttpClient; // Sales, no hold
  let cid: HttpClient; // Support
  let bob: string; // webchat conversation, in Ann's inbox
  let carol: string; // api conversation, unassigned
  let sendAsConnector: (client: string, text: string, extra?: Record<string, unknown>) => Promise<unknown>;

  const sql = async <T = any>(text: string, params: unknown[] = []): Promise<T[]> => (await db.query(text, params)).rows as T[];
  const upload = (who: HttpClient, conversation: string, body: FormData, headers: Record<string, string> = {}) => who.postForm(`/api/v1/conversations/${conversation}/messages`, body, headers);
  const history = async (conversation: string): Promise<any[]> => (await admin.get(`/api/v1/conversations/${conversation}/messages`)).body.items;
  const storedBlobs = async (): Promise<string[]> => (await readdir(blobDir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));

  const pendingUploads = async (): Promise<string[]> => (await sql<{ storage_key: string }>('SELECT storage_key FROM gateway.pending_upload ORDER BY storage_key')).map((r) => r.storage_key);

  /** A refusal with a clear message, after which no message, no blob and no pending upload exist that were not there before. */
  async function expectRefused(send: () => Promise<Answer>, status: number, code: string, message: RegExp | string, conversation = bob): Promise<void> {
    const state = async () => ({ messages: (await history(conversation)).length, blobs: (await storedBlobs()).length, pending: await pendingUploads() });
    const before = await state();
    const refused = await send();
    expect({ status: refused.status, code: refused.body?.error?.code }).toEqual({ status, code });
    expect(refused.body.error.message).toEqual(expect.stringMatching(message));
    expect(await state()).toEqual(before);
  }

  async function conversationOf(who: HttpClient, clientName: string): Promise<string> {
    return waitFor(`${clientName} listed`, async () => (await who.get('/api/v1/conversations?tab=unassigned')).body.items.find((i: any) => i.client.name === clientName)?.id);
  }

  beforeAll(async () => {
    env = await createTestEnv();
    blobDir = await mkdtemp(path.join(tmpdir(), 'relaydesk-blobs-'));
    stack = await startStack(env.env, { BLOB_DIR: blobDir, S3_BUCKET: '' });
    db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
    const workspace = await Workspace.open(stack);
    admin = workspace.admin;
    const sales = await workspace.group('Sales');
    const support = await workspace.group('Support');
    ann = (await workspace.operator('Ann', [sales])).api;
    ben = (await workspace.operator('Ben', [sales])).api;
    cid = (await workspace.operator('Cid', [support])).api;

    const webchat = (await admin.post('/api/v1/channels', { type: 'webchat', name: 'Site chat', groupId: sales, settings: { allowedOrigins: [] } })).body.id;
    const ingest = new HttpClient(stack.ingestion.url);
    const session = await ingest.post(`/ingest/v1/webchat/${webchat}/sessions`, { name: 'Bob' });
    expect((await ingest.bearer(session.body.token).post(`/ingest/v1/webchat/${webchat}/messages`, { text: 'Can you send me the photo?', clientMessageId: 'b-1' })).status).toBe(202);
    bob = await conversationOf(ann, 'Bob');
    expect((await ann.post(`/api/v1/conversations/${bob}/take`)).status).toBe(200);

    sendAsConnector = (await workspace.apiChannel(sales)).send;
    await sendAsConnector('Carol', 'hello');
    carol = await conversationOf(ann, 'Carol');
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await stack?.stop();
    await env?.dispose();
    if (blobDir) await rm(blobDir, { recursive: true, force: true });
  });

  it('D15, D20: a PNG with emoji text → 201; history shows the file; the download is the same bytes, type and Unicode name', async () => {
    const bytes = Buffer.concat([png1x1, randomBytes(300_000)]);
    const fileName = 'Frühling 🌸 «Фото».png';
    const text = 'Вот фото 🌸👍🏽 — here it is';
    const sent = await upload(ann, bob, form([{ bytes, fileName, type: 'application/octet-stream' }], { text }));
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ direction: 'out', kind: 'file', text, sender: { type: 'operator', name: 'Ann' }, attachment: { fileName, mimeType: 'image/png', size: bytes.length } });
    const { attachment } = sent.body;
    expect(attachment.url).toBe(`/api/v1/attachments/${attachment.id}`);
    expect((await history(bob)).at(-1)).toMatchObject({ id: sent.body.id, kind: 'file', text, attachment });

    const file = await ann.download(attachment.url);
    expect(file.status).toBe(200);
    expect(file.bytes.equals(bytes)).toBe(true);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(file.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`);
    expect(await storedBlobs()).toHaveLength(1);
    expect((await admin.download(attachment.url)).status).toBe(200);
  });

  it('D15: the outbound message carries the file by storage key, and the webchat reply keeps it', async () => {
    const broker = await amqp.connect(env.amqpUrl);
    const events: { payload: { messageId: string; attachment?: unknown } }[] = [];
    const channel = await broker.createChannel();
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue(queue, 'events', 'message.sent');
    await channel.consume(queue, (d) => d && events.push(JSON.parse(d.content.toString('utf8')) as (typeof events)[number]), { noAck: true });
    const sent = await upload(ann, bob, form([{ bytes: pdf, fileName: 'invoice.pdf' }]));
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ kind: 'file', text: null, attachment: { fileName: 'invoice.pdf', mimeType: 'application/pdf', size: pdf.length } });
    const [reply] = await waitFor('webchat reply', async () => {
      const rows = await sql('SELECT text, attachment FROM ingestion.webchat_reply WHERE message_id = $1', [sent.body.id]);
      return rows.length > 0 ? rows : undefined;
    });
    expect(reply.attachment).toEqual({ storageKey: expect.stringMatching(/^attachments\//), fileName: 'invoice.pdf', mimeType: 'application/pdf', size: pdf.length });
    expect((await storedBlobs()).some((f) => f.endsWith(reply.attachment.storageKey.split('/').pop()))).toBe(true);
    await waitFor('sent', async () => (await history(bob)).find((m) => m.id === sent.body.id)?.deliveryStatus === 'sent');
    // message.sent names the file too, for whoever indexes or reports on messages.
    const event = await waitFor('message.sent', () => events.find((e) => e.payload.messageId === sent.body.id));
    expect(event.payload.attachment).toEqual(reply.attachment);
    await broker.close();
  });

  it('D34: an operator who may not see the conversation gets 404 for its file; so does an unknown id', async () => {
    const [file] = (await history(bob)).filter((m) => m.attachment);
    for (const outsider of [cid, ben]) {
      const answer = await outsider.get(file.attachment.url);
      expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status: 404, code: 'not_found' });
    }
    expect((await ann.get(`/api/v1/attachments/${randomUUID()}`)).status).toBe(404);
    expect((await ann.get('/api/v1/attachments/not-a-uuid')).status).toBe(400);
    expect((await new HttpClient(stack.gateway.url).get(file.attachment.url)).status).toBe(401);
  });

  it('D15: a type the channel does not take → 415, nothing stored', async () => {
    const zip = Buffer.concat([Buffer.from('504b0304', 'hex'), randomBytes(2000)]);
    await expectRefused(() => upload(ann, bob, form([{ bytes: zip, fileName: 'archive.zip' }])), 415, 'unsupported_media_type', /webchat conversation does not take application\/zip/);
    await expectRefused(() => upload(ann, bob, form([{ bytes: exe, fileName: 'setup' }])), 415, 'unsupported_media_type', /does not take application\/x-msdownload/);
    await expectRefused(() => upload(ann, bob, form([{ bytes: exe, fileName: 'setup.exe' }])), 415, 'unsupported_media_type', /\.exe are not taken/);
  });

  it('D15: over the channel limit → 413 with a clear message; nothing stored, no message written', async () => {
    const tooBig = Buffer.concat([png1x1, Buffer.alloc(10_000_001 - png1x1.length)]);
    await expectRefused(() => upload(ann, bob, form([{ bytes: tooBig, fileName: 'huge.png' }])), 413, 'payload_too_large', /"huge\.png" is larger than the 10 MB a webchat conversation takes for image\/png files/);
    const justRight = Buffer.concat([png1x1, Buffer.alloc(10_000_000 - png1x1.length)]);
    expect((await upload(ann, bob, form([{ bytes: justRight, fileName: 'big.png' }]))).status).toBe(201);
  });

  it('D15: bytes that do not match the name → 415, whatever the part says its type is', async () => {
    await expectRefused(() => upload(ann, bob, form([{ bytes: pdf, fileName: 'photo.png', type: 'image/png' }])), 415, 'unsupported_media_type', /content of "photo\.png" is application\/pdf, not the image\/png/);
    await expectRefused(() => upload(ann, bob, form([{ bytes: exe, fileName: 'photo.png', type: 'image/png' }])), 415, 'unsupported_media_type', /is application\/x-msdownload, not the image\/png/);
    await expectRefused(() => upload(ann, bob, form([{ bytes: Buffer.from('just words'), fileName: 'photo.png', type: 'image/png' }])), 415, 'unsupported_media_type', /plain text, not the image\/png/);
  });

  it('D15: an empty file, two files, no file, an unknown field or text over the limit → 400, nothing stored', async () => {
    await expectRefused(() => upload(ann, bob, form([{ bytes: Buffer.alloc(0), fileName: 'empty.png' }])), 400, 'validation_failed', /"empty\.png" is empty/);
    await expectRefused(() => upload(ann, bob, form([{ bytes: png1x1, fileName: 'a.png' }, { bytes: png1x1, fileName: 'b.png' }])), 400, 'validation_failed', /exactly one file/);
    await expectRefused(() => upload(ann, bob, form([{ bytes: png1x1, fileName: 'a.png', name: 'document' }])), 400, 'validation_failed', /exactly one file/);
    await expectRefused(() => upload(ann, bob, form([], { text: 'no file' })), 400, 'validation_failed', /part named "file"/);
    await expectRefused(() => upload(ann, bob, form([{ bytes: png1x1, fileName: 'a.png' }], { html: '<b>hi</b>' })), 400, 'validation_failed', /html/);
    await expectRefused(() => upload(ann, bob, form([{ bytes: png1x1, fileName: 'a.png' }], { text: 't'.repeat(10_001) })), 400, 'validation_failed', /text/);
    await expectRefused(() => upload(ann, bob, form([{ bytes: png1x1, fileName: 'a.png' }], { text: 't'.repeat(70_000) })), 400, 'validation_failed', /too long/);
    await expectRefused(() => ann.send('POST', `/api/v1/conversations/${bob}/messages`, undefined, { 'content-type': 'multipart/form-data; boundary=xyz' }, '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n\x89PNG'), 400, 'validation_failed', /multipart|cut off/);
  });

  it('D15: a JSON body cannot name a stored file', async () => {
    const [file] = (await history(bob)).filter((m) => m.attachment);
    const forged = { text: 'look', attachment: { storageKey: 'attachments/x', fileName: file.attachment.fileName, mimeType: 'image/png', size: 1 } };
    await expectRefused(() => ann.post(`/api/v1/conversations/${bob}/messages`, forged), 400, 'validation_failed', /attachment/);
  });

  it('D15: the same Idempotency-Key twice with a file → one message and one stored blob', async () => {
    const key = `upload-${randomUUID()}`;
    const parts = () => form([{ bytes: png1x1, fileName: 'once.png' }], { text: 'only once 📎' });
    const blobsBefore = (await storedBlobs()).length;
    const first = await upload(ann, bob, parts(), { 'idempotency-key': key });
    expect(first.status).toBe(201);
    const again = await upload(ann, bob, parts(), { 'idempotency-key': key });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    // The same message, whose delivery status may have moved on since the first answer.
    const { deliveryStatus: _first, ...firstMessage } = first.body;
    const { deliveryStatus: _again, ...againMessage } = again.body;
    expect(againMessage).toEqual(firstMessage);
    expect((await history(bob)).filter((m) => m.text === 'only once 📎')).toHaveLength(1);
    expect((await storedBlobs()).length).toBe(blobsBefore + 1);
    expect(await sql('SELECT count(*)::int AS n FROM conversation.attachment WHERE message_id = $1', [first.body.id])).toEqual([{ n: 1 }]);
  });

  it('D8, D34: who may not reply is refused before any byte is stored: 403 in scope, 404 out of it', async () => {
    await expectRefused(() => upload(ann, carol, form([{ bytes: png1x1, fileName: 'a.png' }])), 403, 'forbidden', /holds the conversation/, carol);
    await expectRefused(() => upload(ben, bob, form([{ bytes: png1x1, fileName: 'a.png' }])), 404, 'not_found', /No such conversation/);
    await expectRefused(() => upload(cid, bob, form([{ bytes: png1x1, fileName: 'a.png' }])), 404, 'not_found', /No such conversation/);
  });

  it('D15: a client’s file from a connector shows in history; a file kept at its URL redirects there', async () => {
    const url = 'https://files.example.com/scan.pdf';
    await sendAsConnector('Carol', 'my scan 📄', { attachment: { url, fileName: 'scan.pdf', mimeType: 'application/pdf', size: 1234 } });
    const item = await waitFor('client file', async () => (await history(carol)).find((m) => m.attachment));
    expect(item).toMatchObject({ direction: 'in', kind: 'file', text: 'my scan 📄', attachment: { fileName: 'scan.pdf', mimeType: 'application/pdf', size: 1234 } });
    const file = await ann.download(item.attachment.url);
    expect({ status: file.status, location: file.headers.get('location') }).toEqual({ status: 302, location: url });
    expect((await cid.get(item.attachment.url)).status).toBe(404);

    // Rows stored before ingestion checked these are answered 404, never a redirect off the web or a 500.
    const row = item.attachment.url.split('/').pop();
    await sql(`UPDATE conversation.attachment SET external_url = 'javascript:alert(1)' WHERE id = $1`, [row]);
    expect((await ann.download(item.attachment.url)).status).toBe(404);
    await sql(`UPDATE conversation.attachment SET storage_key = '../../../../etc/passwd' WHERE id = $1`, [row]);
    expect((await ann.download(item.attachment.url)).status).toBe(404);
  });

  it('ADR 8: an upload whose send never answered is swept from the blob store; one a message holds stays', async () => {
    // A send that answered: its upload is settled at once.
    const held = await upload(ann, bob, form([{ bytes: pdf, fileName: 'kept.pdf' }]));
    expect(held.status).toBe(201);
    const heldKey = (await sql<{ storage_key: string }>('SELECT storage_key FROM conversation.attachment WHERE message_id = $1', [held.body.id]))[0]!.storage_key;
    expect(await pendingUploads()).toEqual([]);

    // A send whose answer never came: the conversation service dies while the file is on its way.
    const boundary = 'relaydesk-slow-upload';
    const slow = request(`${stack.gateway.url}/api/v1/conversations/${bob}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ann.token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    const answered = new Promise<number>((resolve, reject) => {
      slow.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      slow.on('error', reject);
    });
    slow.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="lost.pdf"\r\nContent-Type: application/pdf\r\n\r\n`);
    slow.write(Buffer.concat([pdf, randomBytes(64 * 1024)])); // past what is read to tell the type, so storing has begun
    const lostKey = await waitFor('the upload under way', async () => (await pendingUploads())[0]);
    let status = 0;
    await stack.restart('conversation', async () => {
      slow.end(`\r\n--${boundary}--\r\n`);
      status = await answered;
    });
    expect(status).toBe(503);
    expect(await pendingUploads()).toEqual([lostKey]);
    expect((await storedBlobs()).some((f) => f.endsWith(lostKey.split('/').pop()!))).toBe(true);
    expect((await history(bob)).filter((m) => m.attachment?.fileName === 'lost.pdf')).toEqual([]);
    // The held one as if its answer had been lost too.
    await sql(`INSERT INTO gateway.pending_upload (storage_key, created_at) VALUES ($1, now() - interval '2 hours')`, [heldKey]);

    // A gateway that sweeps every second finds both: the conversation service says which is held.
    const sweeping = await startService('gateway', {
      ...stack.env,
      CONVERSATION_URL: stack.conversation.url,
      INGESTION_URL: stack.ingestion.url,
      SEARCH_URL: stack.search.url,
      ANALYTICS_URL: stack.analytics.url,
      UPLOAD_SWEEP_INTERVAL: '1s',
      UPLOAD_SWEEP_AFTER: '1s',
    });
    try {
      await waitFor('swept', async () => (await pendingUploads()).length === 0);
    } finally {
      await sweeping.stop();
    }
    const blobs = await storedBlobs();
    expect(blobs.some((f) => f.endsWith(lostKey.split('/').pop()!))).toBe(false);
    expect(blobs.some((f) => f.endsWith(heldKey.split('/').pop()!))).toBe(true);
    expect((await ann.download(held.body.attachment.url)).bytes.equals(pdf)).toBe(true);
  }, 90_000);
});
