import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { createTestEnv, freePort, startService, startStack, TelegramStandIn, waitFor, Workspace, type HttpClient, type RunningService, type Stack, type TelegramClient, type TestEnv } from '@relaydesk/testing';

/** Issue 5, Telegram: Bot API updates in through the webhook, operator replies out, against a Bot API stand-in. */

const png1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const pdf = Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');
const jpeg = (size: number) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(size)]);
const ogg = Buffer.concat([Buffer.from('OggS'), randomBytes(2000)]);

const execFileAsync = promisify(execFile);
const root = path.join(__dirname, '..');

describe('the Telegram channel', () => {
  const botToken = '7012345678:AAH-int_spec-token';
  const secretToken = 'int-spec_Secret-123';
  const publicUrl = 'https://relaydesk.example.com';
  let env: TestEnv;
  let stack: Stack;
  let standIn: TelegramStandIn;
  let blobDir: string;
  let admin: HttpClient;
  let ann: HttpClient;
  let support: string;
  let channelId: string;
  /** Where Telegram would reach the webhook: `publicUrl` in production, ingestion itself here. */
  let webhookUrl: string;
  let chats = 0;

  const client = (firstName: string, lastName?: string): TelegramClient => ({ id: 500_000_000 + ++chats, firstName, ...(lastName ? { lastName } : {}) });
  const nameOf = (c: TelegramClient) => [c.firstName, c.lastName].filter(Boolean).join(' ');
  const deliver = (update: Record<string, unknown>, secret?: string | null) => standIn.deliver(update, { url: webhookUrl, ...(secret !== undefined ? { secretToken: secret } : {}) });
  const say = async (c: TelegramClient, fields: Record<string, unknown>, options?: { messageId?: number; edited?: boolean }) => {
    const answer = await deliver(standIn.clientMessage(c, fields, options));
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { id: expect.any(String), duplicate: false } });
  };

  const conversations = new Map<number, string>();
  /** The client's conversation, found in the operator's Unassigned tab where his first message puts it. */
  async function conversationOf(c: TelegramClient): Promise<string> {
    const id =
      conversations.get(c.id) ?? (await waitFor(`${nameOf(c)} listed`, async () => (await ann.get('/api/v1/conversations?tab=unassigned&limit=100')).body.items.find((i: any) => i.client.name === nameOf(c))?.id as string | undefined));
    conversations.set(c.id, id);
    return id;
  }

  /** The client's messages as an operator reads them, once there are `count`. */
  async function messagesOf(c: TelegramClient, count: number): Promise<any[]> {
    const id = await conversationOf(c);
    return waitFor(`${count} messages of ${nameOf(c)}`, async () => {
      const items = (await ann.get(`/api/v1/conversations/${id}/messages`)).body.items as any[];
      return items.length >= count ? items : undefined;
    });
  }

  /** After a refused or ignored delivery, a good message from the same client: it must be his only one. */
  async function expectNothingStoredBefore(c: TelegramClient): Promise<void> {
    await say(c, { text: `marker for ${c.firstName}` });
    expect((await messagesOf(c, 1)).map((m) => m.text)).toEqual([`marker for ${c.firstName}`]);
  }

  const downloaded = async (m: any): Promise<Buffer> => {
    const file = await ann.download(m.attachment.url);
    expect(file.status).toBe(200);
    return file.bytes;
  };

  beforeAll(async () => {
    standIn = await TelegramStandIn.start({ botToken });
    env = await createTestEnv();
    blobDir = await mkdtemp(path.join(tmpdir(), 'relaydesk-telegram-blobs-'));
    stack = await startStack(env.env, { BLOB_DIR: blobDir, S3_BUCKET: '', PUBLIC_INGEST_URL: publicUrl });
    const workspace = await Workspace.open(stack);
    admin = workspace.admin;
    support = await workspace.group('Support');
    ann = (await workspace.operator('Ann', [support])).api;
    const created = await admin.post('/api/v1/channels', { type: 'telegram', name: 'Support bot', groupId: support, settings: { botToken, secretToken, apiBaseUrl: standIn.apiBaseUrl } });
    expect(created.status).toBe(201);
    channelId = created.body.id;
    webhookUrl = `${stack.ingestion.url}/ingest/v1/telegram/${channelId}`;
    expect((await admin.post(`/api/v1/channels/${channelId}/telegram/webhook`)).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await env?.dispose();
    await standIn?.stop();
    if (blobDir) await rm(blobDir, { recursive: true, force: true });
  });

  describe('setting up', () => {
    it('a super_admin creates a telegram channel; its secrets are write-only and encrypted at rest', async () => {
      const listed = (await admin.get('/api/v1/channels')).body.items.find((c: { id: string }) => c.id === channelId);
      expect(listed).toEqual({ id: channelId, type: 'telegram', name: 'Support bot', groupId: support, enabled: true, webhookUrl: `${publicUrl}/ingest/v1/telegram/${channelId}`, settings: { apiBaseUrl: standIn.apiBaseUrl } });
      const db = new Client({ connectionString: env.databaseUrl });
      await db.connect();
      try {
        const { rows } = await db.query('SELECT settings::text AS settings FROM ingestion.channel WHERE id = $1', [channelId]);
        expect(rows[0].settings).not.toContain(botToken.split(':')[1]);
        expect(rows[0].settings).not.toContain(secretToken);
      } finally {
        await db.end();
      }
    });

    it('registering the webhook calls setWebhook with the webhook URL, the secret token and the update kinds', async () => {
      expect((await ann.post(`/api/v1/channels/${channelId}/telegram/webhook`)).status).toBe(403);
      const registered = await admin.post(`/api/v1/channels/${channelId}/telegram/webhook`);
      expect(registered.status).toBe(200);
      expect(registered.body).toEqual({ webhookUrl: `${publicUrl}/ingest/v1/telegram/${channelId}`, description: 'Webhook was set' });
      expect(standIn.requestsTo('setWebhook').at(-1)).toMatchObject({
        httpMethod: 'POST',
        token: botToken,
        params: { url: `${publicUrl}/ingest/v1/telegram/${channelId}`, secret_token: secretToken, allowed_updates: ['message', 'edited_message'] },
        status: 200,
      });
      expect(standIn.webhook).toEqual({ url: `${publicUrl}/ingest/v1/telegram/${channelId}`, secretToken, allowedUpdates: ['message', 'edited_message'] });
    });

    it('npm run telegram:webhook -- <channelId> registers it too', async () => {
      standIn.webhook = undefined;
      const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', 'services/ingestion/src/register-telegram-webhook.ts', channelId], {
        cwd: root,
        env: { ...process.env, ...stack.env, PUBLIC_INGEST_URL: publicUrl, LOG_LEVEL: 'warn' },
      });
      expect(stdout).toContain(`Webhook was set: ${publicUrl}/ingest/v1/telegram/${channelId}`);
      expect(standIn.webhook).toMatchObject({ url: `${publicUrl}/ingest/v1/telegram/${channelId}`, secretToken });
      const usage = await execFileAsync(process.execPath, ['--import', 'tsx', 'services/ingestion/src/register-telegram-webhook.ts', 'nope'], { cwd: root, env: { ...process.env, ...stack.env } }).catch((error: { code: number; stderr: string }) => error);
      expect(usage).toMatchObject({ code: 1, stderr: expect.stringContaining('Usage: npm run telegram:webhook -- <channelId>') });
    });

    it('Telegram refusing setWebhook answers 502 with its description, failing 503; the channel stays', async () => {
      standIn.failNext('setWebhook', { status: 400, description: 'Bad Request: bad webhook: HTTPS url must be provided for webhook' });
      const refused = await admin.post(`/api/v1/channels/${channelId}/telegram/webhook`);
      expect(refused.status).toBe(502);
      expect(refused.body.error.message).toBe('Telegram refused the webhook: Bad Request: bad webhook: HTTPS url must be provided for webhook');
      standIn.failNext('setWebhook', { status: 500 });
      const failing = await admin.post(`/api/v1/channels/${channelId}/telegram/webhook`);
      expect({ status: failing.status, code: failing.body.error.code }).toEqual({ status: 503, code: 'unavailable' });
      const dead = `http://127.0.0.1:${await freePort()}`;
      const elsewhere = (await admin.post('/api/v1/channels', { type: 'telegram', name: 'Unreachable bot', groupId: support, settings: { botToken, secretToken, apiBaseUrl: dead } })).body.id;
      const unreachable = await admin.post(`/api/v1/channels/${elsewhere}/telegram/webhook`);
      expect(unreachable.status).toBe(503);
      expect(unreachable.body.error.message).toMatch(/cannot be reached/);
      expect(unreachable.body.error.message).not.toContain(botToken);
      const ids = (await admin.get('/api/v1/channels')).body.items.map((c: { id: string }) => c.id);
      expect(ids).toEqual(expect.arrayContaining([channelId, elsewhere]));
      expect((await admin.post(`/api/v1/channels/${randomUUID()}/telegram/webhook`)).status).toBe(404);
      expect((await admin.post('/api/v1/channels/not-a-uuid/telegram/webhook')).status).toBe(400);
      // The webhook is registered again, as the rest of this file expects.
      expect((await admin.post(`/api/v1/channels/${channelId}/telegram/webhook`)).status).toBe(200);
    });
  });

  describe('updates in', () => {
    it('D20: a text with emoji reaches an operator through the gateway, as a telegram client named from the user', async () => {
      const anna = client('Анна', 'Schmidt 🌷');
      await say(anna, { text: 'Hallo 👋🏽 mein Paket ist nicht angekommen 📦' });
      const [message] = await messagesOf(anna, 1);
      expect(message).toMatchObject({ direction: 'in', kind: 'text', text: 'Hallo 👋🏽 mein Paket ist nicht angekommen 📦', sender: { type: 'client' } });
      const listed = (await ann.get('/api/v1/conversations?tab=unassigned')).body.items.find((i: any) => i.client.name === 'Анна Schmidt 🌷');
      expect(listed).toMatchObject({ client: { channel: 'telegram' }, group: { id: support }, status: 'unassigned' });
      expect((await ann.get(`/api/v1/clients/${listed.client.id}`)).body).toMatchObject({ externalId: String(anna.id), channel: 'telegram' });
    });

    it('D20: a NUL or an unpaired surrogate from Telegram becomes U+FFFD; the rest of the message and the name are stored as sent', async () => {
      const nul = client('Ol\u0000ga');
      await say(nul, { text: 'Где\u0000 мой заказ? \uDC00 🙏' });
      const [message] = await messagesOf({ ...nul, firstName: 'Ol\uFFFDga' }, 1);
      expect(message).toMatchObject({ kind: 'text', text: 'Где\uFFFD мой заказ? \uFFFD 🙏' });
    });

    it('D15: a photo arrives as the largest of its sizes, with its caption, downloadable with the same bytes', async () => {
      const small = jpeg(300);
      const large = jpeg(40_000);
      const medium = jpeg(3_000);
      const sizes = [
        { ...standIn.addFile(small, { filePath: 'photos/file_1.jpg' }), width: 90, height: 67 },
        { ...standIn.addFile(large, { filePath: 'photos/file_2.jpg' }), width: 1280, height: 960 },
        { ...standIn.addFile(medium, { filePath: 'photos/file_3.jpg' }), width: 320, height: 240 },
      ];
      const bob = client('Bob');
      await say(bob, { photo: sizes, caption: 'The dent on the box 📸' });
      const [message] = await messagesOf(bob, 1);
      expect(message).toMatchObject({ kind: 'file', text: 'The dent on the box 📸', attachment: { fileName: `photo_${sizes[1]!.file_unique_id}.jpg`, mimeType: 'image/jpeg', size: large.length } });
      expect((await downloaded(message)).equals(large)).toBe(true);
      expect(standIn.requestsTo('getFile').filter((r) => sizes.some((s) => s.file_id === r.params['file_id'])).map((r) => r.params['file_id'])).toEqual([sizes[1]!.file_id]);
      expect(standIn.requestsTo('file').filter((r) => r.filePath?.startsWith('photos/')).map((r) => r.filePath)).toEqual(['photos/file_2.jpg']);
    });

    it('D15: a document keeps its name and type, a voice message becomes an audio file; both download with the same bytes', async () => {
      const carla = client('Carla');
      const doc = standIn.addFile(pdf, { filePath: 'documents/file_7.pdf' });
      const voice = standIn.addFile(ogg, { filePath: 'voice/file_8.oga' });
      await say(carla, { document: { ...doc, file_name: 'Rechnung März №7.pdf', mime_type: 'application/pdf' }, caption: 'Invoice attached' });
      await say(carla, { voice: { ...voice, duration: 4, mime_type: 'audio/ogg' } });
      const messages = await messagesOf(carla, 2);
      const document = messages.find((m) => m.attachment?.fileName === 'Rechnung März №7.pdf');
      expect(document).toMatchObject({ kind: 'file', text: 'Invoice attached', attachment: { mimeType: 'application/pdf', size: pdf.length } });
      expect((await downloaded(document)).equals(pdf)).toBe(true);
      const voiceMessage = messages.find((m) => m.attachment?.fileName === `voice_${voice.file_unique_id}.ogg`);
      expect(voiceMessage).toMatchObject({ kind: 'file', attachment: { mimeType: 'audio/ogg', size: ogg.length } });
      expect(voiceMessage.text ?? null).toBeNull();
      expect((await downloaded(voiceMessage)).equals(ogg)).toBe(true);
    });

    it('a location, a contact, an edit and an unknown kind become readable text; an edit is a message of its own', async () => {
      const dan = client('Dan');
      await say(dan, { text: 'Meet on Monday' }, { messageId: 77 });
      await say(dan, { text: 'Meet on Tuesday' }, { messageId: 77, edited: true });
      await say(dan, { location: { latitude: 52.520008, longitude: 13.404954 } });
      await say(dan, { contact: { phone_number: '+4915112345678', first_name: 'Jörg', last_name: 'Weber', user_id: 42 } });
      await say(dan, { poll: { id: '1', question: 'Which day?', options: [{ text: 'Mon', voter_count: 0 }], total_voter_count: 0, is_closed: false, is_anonymous: true, type: 'regular', allows_multiple_answers: false } });
      const texts = (await messagesOf(dan, 5)).map((m) => m.text).sort();
      expect(texts).toEqual(['(edited) Meet on Tuesday', 'Contact: Jörg Weber, +4915112345678', 'Location: 52.520008, 13.404954', 'Meet on Monday', 'Unsupported message (poll)']);
    });

    it('D33: a missing or wrong secret token answers 401 and stores nothing', async () => {
      const eve = client('Eve');
      for (const secret of [null, 'wrong-secret', `${secretToken}x`, secretToken.slice(0, -1)]) {
        const refused = await deliver(standIn.clientMessage(eve, { text: 'forged' }), secret);
        expect({ status: refused.status, code: refused.body.error?.code }).toEqual({ status: 401, code: 'unauthorized' });
      }
      await expectNothingStoredBefore(eve);
    });

    it('the same update delivered 5 times at once is one message', async () => {
      const fay = client('Fay');
      const doc = standIn.addFile(pdf, { filePath: 'documents/file_9.pdf' });
      const update = standIn.clientMessage(fay, { document: { ...doc, file_name: 'once.pdf', mime_type: 'application/pdf' }, caption: 'only once' });
      const answers = await Promise.all(Array.from({ length: 5 }, () => deliver(update)));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
      await say(fay, { text: 'and then this' });
      const messages = await messagesOf(fay, 2);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await messagesOf(fay, 2)).map((m) => m.text).sort()).toEqual(['and then this', 'only once']);
      expect((await downloaded(messages.find((m) => m.attachment))).equals(pdf)).toBe(true);
    });

    it('an update without a message answers 200 and stores nothing', async () => {
      const gus = client('Gus');
      const from = { id: gus.id, is_bot: false, first_name: gus.firstName };
      const callback = await deliver({ callback_query: { id: '4382bfdwdsb323b2d9', from, chat_instance: '-12345', data: 'yes' } });
      expect(callback).toEqual({ status: 200, body: { ignored: 'callback_query' } });
      const member = await deliver({ my_chat_member: { chat: { id: gus.id, type: 'private', first_name: gus.firstName }, from, date: 1, old_chat_member: { status: 'member', user: from }, new_chat_member: { status: 'kicked', user: from, until_date: 0 } } });
      expect(member).toEqual({ status: 200, body: { ignored: 'my_chat_member' } });
      await expectNothingStoredBefore(gus);
    });

    it('D33: truncated JSON, a malformed update or channel id answers 400; an unknown channel, or one of another type, 404', async () => {
      const truncated = await standIn.deliverRaw('{"update_id": 1, "message": {"message_id": 1, "text": "hi', { url: webhookUrl });
      expect({ status: truncated.status, code: truncated.body.error.code }).toEqual({ status: 400, code: 'validation_failed' });
      const noChat = await deliver({ message: { message_id: 1, date: 1, text: 'where from?' } });
      expect(noChat.status).toBe(400);
      expect(noChat.body.error.details.map((d: { path: string }) => d.path)).toContain('message.chat');
      for (const late of [{ date: 9_000_000_000_000_000 }, { date: 1, edit_date: 9_000_000_000_000_000 }]) {
        const timeless = await deliver({ update_id: 2, edited_message: { message_id: 1, chat: { id: 4242, type: 'private' }, text: 'when?', ...late } });
        expect({ status: timeless.status, details: timeless.body.error.details }).toEqual({ status: 400, details: [expect.objectContaining({ message: expect.stringMatching(/seconds since 1970/) })] });
      }
      const malformed = await standIn.deliver(standIn.clientMessage(client('Nobody'), { text: 'hi' }), { url: `${stack.ingestion.url}/ingest/v1/telegram/not-a-uuid` });
      expect({ status: malformed.status, code: malformed.body.error.code }).toEqual({ status: 400, code: 'validation_failed' });
      for (const other of [randomUUID(), (await admin.post('/api/v1/channels', { type: 'webchat', name: 'Chat', groupId: support, settings: { allowedOrigins: [] } })).body.id as string]) {
        const unknown = await standIn.deliver(standIn.clientMessage(client('Nobody'), { text: 'hi' }), { url: `${stack.ingestion.url}/ingest/v1/telegram/${other}` });
        expect({ status: unknown.status, code: unknown.body.error.code }).toEqual({ status: 404, code: 'not_found' });
      }
    });

    it('D15: a file_id Telegram does not know is stored with a text saying the file could not be fetched', async () => {
      const hal = client('Hal');
      await say(hal, { document: { file_id: 'BQACAgIAAxkBAAI-unknown', file_unique_id: 'AgADunknown', file_size: 10, file_name: 'lost.pdf', mime_type: 'application/pdf' }, caption: 'see attached' });
      const [message] = await messagesOf(hal, 1);
      expect(message.attachment).toBeUndefined();
      expect(message.text).toBe("see attached\n📎 The client's document (lost.pdf) could not be fetched from Telegram: Bad Request: invalid file_id");
    });

    it('a file path naming another host is never fetched; the message is stored saying so', async () => {
      const elsewhere: Server = createServer((_req, res) => res.end('secret of another host'));
      let hits = 0;
      elsewhere.on('request', () => hits++);
      elsewhere.listen(0, '127.0.0.1');
      await once(elsewhere, 'listening');
      const other = `127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
      try {
        const ivy = client('Ivy');
        const paths = [`//${other}/x`, `http://${other}/x`, '../../etc/passwd', `photos/../../x`, '/absolute/file.jpg'];
        for (const filePath of paths) await say(ivy, { document: { ...standIn.addFile(undefined, { filePath }), file_name: 'x.bin' } });
        const messages = await messagesOf(ivy, paths.length);
        for (const m of messages) expect(m.text).toMatch(/could not be fetched from Telegram: Telegram named a file path that is not a plain relative path; it was not fetched/);
        expect(hits).toBe(0);
        expect(standIn.requestsTo('file').filter((r) => paths.includes(r.filePath!))).toEqual([]);
      } finally {
        elsewhere.close();
      }
    });

    it('Telegram failing getFile answers 503, so Telegram delivers again; the next delivery is stored', async () => {
      const jon = client('Jon');
      const doc = standIn.addFile(pdf, { filePath: 'documents/file_11.pdf' });
      const update = standIn.clientMessage(jon, { document: { ...doc, file_name: 'retry.pdf', mime_type: 'application/pdf' } });
      standIn.failNext('getFile', { status: 502, description: 'Bad Gateway' });
      const failed = await deliver(update);
      expect({ status: failed.status, code: failed.body.error.code }).toEqual({ status: 503, code: 'unavailable' });
      standIn.failNext('file', { status: 500 });
      expect((await deliver(update)).status).toBe(503);
      expect((await deliver(update)).status).toBe(200);
      const [message] = await messagesOf(jon, 1);
      expect((await downloaded(message)).equals(pdf)).toBe(true);
    });
  });

  describe('replies out', () => {
    let kim: TelegramClient;
    let conversation: string;
    const history = async (): Promise<any[]> => (await ann.get(`/api/v1/conversations/${conversation}/messages`)).body.items;
    const settled = (id: string) => waitFor(`message ${id} settled`, async () => (await history()).find((m) => m.id === id && m.deliveryStatus !== 'pending'), { timeoutMs: 30_000 });
    const reply = async (text: string) => {
      const sent = await ann.post(`/api/v1/conversations/${conversation}/messages`, { text });
      expect(sent.status).toBe(201);
      return sent.body.id as string;
    };
    const sendsOf = (method: string, text: string) => standIn.requestsTo(method).filter((r) => r.params['text'] === text || r.params['caption'] === text);

    beforeAll(async () => {
      kim = client('Kim');
      await say(kim, { text: 'Can you help me?' });
      conversation = await conversationOf(kim);
      expect((await ann.post(`/api/v1/conversations/${conversation}/take`)).status).toBe(200);
    });

    it('D15, D20: an operator’s text arrives by sendMessage to the chat and the message becomes sent', async () => {
      const id = await reply('Of course 🙂 what is your order number?');
      expect(await settled(id)).toMatchObject({ deliveryStatus: 'sent' });
      expect(sendsOf('sendMessage', 'Of course 🙂 what is your order number?')).toEqual([expect.objectContaining({ token: botToken, params: { chat_id: String(kim.id), text: 'Of course 🙂 what is your order number?' }, status: 200 })]);
    });

    it('D15: an image goes by sendPhoto with its caption, a PDF by sendDocument; both become sent', async () => {
      const form = (bytes: Buffer, fileName: string, text?: string) => {
        const body = new FormData();
        if (text) body.append('text', text);
        body.append('file', new Blob([bytes]), fileName);
        return body;
      };
      const photo = await ann.postForm(`/api/v1/conversations/${conversation}/messages`, form(png1x1, 'label.png', 'Print this label 🏷️'));
      expect(photo.status).toBe(201);
      const document = await ann.postForm(`/api/v1/conversations/${conversation}/messages`, form(pdf, 'Rücksendung.pdf'));
      expect(document.status).toBe(201);
      expect(await settled(photo.body.id)).toMatchObject({ deliveryStatus: 'sent' });
      expect(await settled(document.body.id)).toMatchObject({ deliveryStatus: 'sent' });
      expect(sendsOf('sendPhoto', 'Print this label 🏷️')).toEqual([
        expect.objectContaining({ params: { chat_id: String(kim.id), caption: 'Print this label 🏷️' }, files: [{ field: 'photo', fileName: 'label.png', mimeType: 'image/png', bytes: png1x1 }], status: 200 }),
      ]);
      const [sentDocument] = standIn.requestsTo('sendDocument').filter((r) => r.files[0]?.fileName === 'Rücksendung.pdf');
      expect(sentDocument).toMatchObject({ params: { chat_id: String(kim.id) }, files: [{ field: 'document', mimeType: 'application/pdf', bytes: pdf }], status: 200 });
    });

    it('D15: the Bot API answering 500 then 200 delivers the message once', async () => {
      standIn.failNext('sendMessage', { status: 500 });
      const id = await reply('Retried once');
      expect(await settled(id)).toMatchObject({ deliveryStatus: 'sent' });
      expect(sendsOf('sendMessage', 'Retried once').map((r) => r.status)).toEqual([500, 200]);
    });

    it('D15: 429 with retry_after is waited out before the next try', async () => {
      standIn.failNext('sendMessage', { status: 429, description: 'Too Many Requests: retry after 2', retryAfter: 2 });
      const id = await reply('After the rate limit');
      expect(await settled(id)).toMatchObject({ deliveryStatus: 'sent' });
      const tries = sendsOf('sendMessage', 'After the rate limit');
      expect(tries.map((r) => r.status)).toEqual([429, 200]);
      expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(2000);
    });

    it('D15: a permanent 403 makes the message failed with Telegram’s description, seen through the gateway, tried once', async () => {
      standIn.failNext('sendMessage', { status: 403, description: 'Forbidden: bot was blocked by the user' });
      const id = await reply('Are you still there?');
      expect(await settled(id)).toMatchObject({ deliveryStatus: 'failed', deliveryError: { code: '403', title: 'Forbidden: bot was blocked by the user' } });
      expect(sendsOf('sendMessage', 'Are you still there?').map((r) => r.status)).toEqual([403]);
    });
  });

  // Last: the stack's own ingestion keeps the key it started with, and cannot open the channel's secrets after this.
  describe('the key that seals channel secrets', () => {
    const storedSettings = async (): Promise<string> => {
      const db = new Client({ connectionString: env.databaseUrl });
      await db.connect();
      try {
        return (await db.query('SELECT settings::text AS settings FROM ingestion.channel WHERE id = $1', [channelId])).rows[0].settings as string;
      } finally {
        await db.end();
      }
    };
    /** A client's message through a given ingestion: its 200 proves the channel's secret token opened. */
    const sayThrough = async (ingestion: RunningService, name: string) => {
      const rita = client(name);
      const answer = await standIn.deliver(standIn.clientMessage(rita, { text: `hello from ${name}` }), { url: `${ingestion.url}/ingest/v1/telegram/${channelId}` });
      expect(answer.status).toBe(200);
      expect((await messagesOf(rita, 1)).map((m) => m.text)).toEqual([`hello from ${name}`]);
    };

    it('changes by SECRETS_KEY and SECRETS_KEY_PREVIOUS: ingestion seals the secrets again at its start and the channel works on; a key it was not given stops its start, saying what to set', async () => {
      const [first, second] = ['a1'.repeat(32), 'b2'.repeat(32)];
      const derived = await storedSettings();
      // Setting SECRETS_KEY for the first time: the key derived from INTERNAL_SECRET still opens what it sealed.
      const keyed = await startService('ingestion', { ...stack.env, SECRETS_KEY: first });
      const sealedWithFirst = await storedSettings();
      try {
        expect(sealedWithFirst).not.toEqual(derived);
        expect(sealedWithFirst).not.toContain(secretToken);
        await sayThrough(keyed, 'Rita');
      } finally {
        await keyed.stop();
      }

      const rotated = await startService('ingestion', { ...stack.env, SECRETS_KEY: second, SECRETS_KEY_PREVIOUS: first });
      try {
        expect(await storedSettings()).not.toEqual(sealedWithFirst);
        await sayThrough(rotated, 'Sami');
      } finally {
        await rotated.stop();
      }

      const refused = await startService('ingestion', { ...stack.env, SECRETS_KEY: 'c3'.repeat(32) }).then(
        (running) => running.stop().then(() => 'started'),
        (error: Error) => error.message,
      );
      expect(refused).toMatch(/A channel secret is sealed with a key this service does not have: set SECRETS_KEY_PREVIOUS/);
    });
  });
});
