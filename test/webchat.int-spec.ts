import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { signToken } from '@relaydesk/service-kit';
import { createTestEnv, HttpClient, startService, startStack, StreamClient, waitFor, Workspace, type RunningService, type Stack, type TestEnv } from '@relaydesk/testing';
import { Client } from 'pg';
import { WebSocket } from 'ws';

/** The webchat channel end to end: a visitor's widget (API.md "Ingestion (channels)") and an operator answering it. */

type Frame = { type: string; data: any };

/** A visitor's widget socket to `GET /ingest/v1/webchat/:channelId/stream`, keeping every frame it receives. */
class VisitorSocket {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.frames.push(JSON.parse((data as Buffer).toString('utf8')) as Frame));
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })));
  }

  static async open(baseUrl: string, channelId: string, token: string, options: { after?: string; origin?: string } = {}): Promise<VisitorSocket> {
    const url = new URL(`/ingest/v1/webchat/${channelId}/stream`, baseUrl.replace(/^http/, 'ws'));
    url.searchParams.set('token', token);
    if (options.after) url.searchParams.set('after', options.after);
    const socket = new VisitorSocket(new WebSocket(url, options.origin ? { headers: { origin: options.origin } } : {}));
    await new Promise<void>((resolve, reject) => {
      socket.ws.once('open', () => resolve());
      socket.ws.once('unexpected-response', (_req, res) => reject(new Error(`stream refused: ${res.statusCode}`)));
      socket.ws.once('error', reject);
    });
    await socket.next('hello');
    return socket;
  }

  next(type: string, where: (data: any) => boolean = () => true): Promise<Frame> {
    return waitFor(`a ${type} frame`, () => {
      const index = this.frames.findIndex((f) => f.type === type && where(f.data));
      return index < 0 ? undefined : this.frames.splice(index, 1)[0];
    }, { timeoutMs: 15_000, intervalMs: 10 });
  }

  replies(): any[] {
    return this.frames.filter((f) => f.type === 'reply').map((f) => f.data);
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

const pdf = Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');

describe('webchat channel', () => {
  let env: TestEnv;
  let stack: Stack;
  let secondIngestion: RunningService;
  let blobDir: string;
  let ann: HttpClient;
  let admin: HttpClient;
  let ingest: HttpClient;
  let channelId: string;
  let otherChannelId: string;
  let visitor: { visitorId: string; token: string };
  let stranger: { visitorId: string; token: string };
  let conversationId: string;
  const origin = 'https://shop.example';
  /** Ingestion's own origin: PUBLIC_INGEST_URL, the stack's ingestion in tests. */
  const ownOrigin = () => stack.env['PUBLIC_INGEST_URL']!;
  const sockets: VisitorSocket[] = [];
  const replies: Record<string, { id: string; text?: string }> = {};
  const visitorText = '¿Dónde está mi pedido? 📦 Где заказ? 👩🏽‍💻';
  const replyText = 'Уже в пути! 🚚 Ya va 👍🏽 — 你好';
  const fileName = 'Квитанция «März» 🧾.pdf';

  const visitorApi = (token: string, from = origin) => new HttpClient(stack.ingestion.url).with({ origin: from }).bearer(token);
  const openSocket = async (options: { after?: string; via?: RunningService; token?: string } = {}) => {
    const socket = await VisitorSocket.open((options.via ?? stack.ingestion).url, channelId, options.token ?? visitor.token, { origin, ...(options.after ? { after: options.after } : {}) });
    sockets.push(socket);
    return socket;
  };
  const reply = async (text: string) => {
    const sent = await ann.post(`/api/v1/conversations/${conversationId}/messages`, { text });
    expect(sent.status).toBe(201);
    return sent.body as { id: string; text: string };
  };

  beforeAll(async () => {
    env = await createTestEnv();
    blobDir = await mkdtemp(path.join(tmpdir(), 'relaydesk-webchat-blobs-'));
    stack = await startStack(env.env, { BLOB_DIR: blobDir, S3_BUCKET: '' });
    secondIngestion = await startService('ingestion', stack.env);
    const workspace = await Workspace.open(stack);
    admin = workspace.admin;
    const sales = await workspace.group('Sales');
    ann = (await workspace.operator('Ann', [sales])).api;
    ingest = new HttpClient(stack.ingestion.url);
    channelId = (await workspace.admin.post('/api/v1/channels', { type: 'webchat', name: 'Shop chat', groupId: sales, settings: { allowedOrigins: [origin] } })).body.id;
    otherChannelId = (await workspace.admin.post('/api/v1/channels', { type: 'webchat', name: 'Other chat', groupId: sales, settings: { allowedOrigins: [] } })).body.id;
    const session = await ingest.with({ origin }).post(`/ingest/v1/webchat/${channelId}/sessions`, { name: 'Zoë 🌷' });
    expect(session.status).toBe(201);
    visitor = session.body;
    stranger = (await ingest.with({ origin }).post(`/ingest/v1/webchat/${channelId}/sessions`, { name: 'Stranger' })).body;
  }, 120_000);

  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
  });

  afterAll(async () => {
    await secondIngestion?.stop();
    await stack?.stop();
    await env?.dispose();
    if (blobDir) await rm(blobDir, { recursive: true, force: true });
  });

  it('D20: the visitor’s message reaches an operator through the gateway intact, and the same clientMessageId sent twice is one message', async () => {
    const first = await visitorApi(visitor.token).post(`/ingest/v1/webchat/${channelId}/messages`, { text: visitorText, clientMessageId: 'zoe-1' });
    expect(first.status).toBe(202);
    expect(first.headers.get('access-control-allow-origin')).toBe(origin);
    const again = await visitorApi(visitor.token).post(`/ingest/v1/webchat/${channelId}/messages`, { text: visitorText, clientMessageId: 'zoe-1' });
    expect([again.status, again.body.id]).toEqual([202, first.body.id]);

    const item = await waitFor('Zoë listed for Ann', async () => (await ann.get('/api/v1/conversations?tab=unassigned')).body.items.find((i: any) => i.client.name === 'Zoë 🌷'));
    expect(item).toMatchObject({ client: { channel: 'webchat' }, lastMessage: { text: visitorText, direction: 'in' } });
    conversationId = item.id;
    const messages = (await ann.get(`/api/v1/conversations/${conversationId}/messages`)).body.items;
    expect(messages.map((m: any) => [m.direction, m.text])).toEqual([['in', visitorText]]);
    expect((await ann.post(`/api/v1/conversations/${conversationId}/take`)).status).toBe(200);
  });

  it('D15, D20: the operator’s text reply and file reach the visitor’s open WebSocket live, on either ingestion replica', async () => {
    const here = await openSocket();
    const there = await openSocket({ via: secondIngestion });

    const text = await reply(replyText);
    for (const socket of [here, there]) {
      const frame = await socket.next('reply', (d) => d.id === text.id);
      expect(frame.data).toEqual({ id: text.id, direction: 'out', text: replyText, createdAt: expect.any(String) });
    }
    replies['text'] = text;

    const form = new FormData();
    form.append('file', new Blob([pdf], { type: 'application/pdf' }), fileName);
    const file = await ann.postForm(`/api/v1/conversations/${conversationId}/messages`, form);
    expect(file.status).toBe(201);
    for (const socket of [here, there]) {
      const frame = await socket.next('reply', (d) => d.id === file.body.id);
      expect(frame.data).toEqual({
        id: file.body.id,
        direction: 'out',
        text: null,
        attachment: { fileName, mimeType: 'application/pdf', size: pdf.length, url: `/ingest/v1/webchat/${channelId}/attachments/${file.body.id}` },
        createdAt: expect.any(String),
      });
    }
    replies['file'] = file.body;
    expect([...here.replies(), ...there.replies()]).toEqual([]);
  });

  it('a reconnect with after=<last reply id> gets only the replies it missed, in order; one without a resume point gets them all', async () => {
    const missed = [await reply('first while away 🌙'), await reply('second while away ⭐')];
    await waitFor('both replies kept', async () => {
      const items = (await visitorApi(visitor.token).get(`/ingest/v1/webchat/${channelId}/messages`)).body.items;
      return items.filter((i: any) => missed.some((m) => m.id === i.id)).length === 2;
    });

    const resumed = await openSocket({ after: replies['file']!.id, via: secondIngestion });
    await waitFor('the missed replies', () => resumed.replies().length >= 2);
    await sleep(300);
    expect(resumed.replies().map((r) => [r.id, r.text])).toEqual(missed.map((m) => [m.id, m.text]));

    const fresh = await openSocket();
    await waitFor('every reply', () => fresh.replies().length >= 4);
    await sleep(300);
    expect(fresh.replies().map((r) => r.id)).toEqual([replies['text']!.id, replies['file']!.id, ...missed.map((m) => m.id)]);
    resumed.frames.splice(0);

    const live = await reply('and one live 🎉');
    expect((await resumed.next('reply', (d) => d.id === live.id)).data.text).toBe('and one live 🎉');
    replies['last'] = live;
  });

  it('the visitor’s message from one tab reaches his other tabs’ streams, on either replica, with its clientMessageId; a reconnect resumes after it', async () => {
    const otherTab = await openSocket({ via: secondIngestion, after: replies['last']!.id });
    const sent = await visitorApi(visitor.token).post(`/ingest/v1/webchat/${channelId}/messages`, { text: 'from my phone 📱', clientMessageId: 'zoe-tab-1' });
    expect(sent.status).toBe(202);
    const frame = await otherTab.next('message', (d) => d.id === sent.body.id);
    expect(frame.data).toEqual({ id: sent.body.id, direction: 'in', text: 'from my phone 📱', clientMessageId: 'zoe-tab-1', createdAt: expect.any(String) });
    expect((await visitorApi(visitor.token).post(`/ingest/v1/webchat/${channelId}/messages`, { text: 'from my phone 📱', clientMessageId: 'zoe-tab-1' })).status).toBe(202);

    const later = await reply('seen on both 👀');
    await otherTab.next('reply', (d) => d.id === later.id);
    const resumed = await openSocket({ after: sent.body.id });
    await resumed.next('reply', (d) => d.id === later.id);
    await sleep(300);
    expect(otherTab.frames.filter((f) => f.type === 'message')).toEqual([]);
    expect(resumed.frames.map((f) => [f.type, f.data.id])).toEqual([]);
    replies['last'] = later;
  });

  it('a widget’s ping is answered with pong, a frame that is not one gets an error frame, and the socket stays open', async () => {
    const socket = await openSocket();
    socket.ws.send('{"type":"ping"}');
    await socket.next('pong');
    socket.ws.send('not json 🙃');
    expect((await socket.next('error')).data).toMatchObject({ code: 'validation_failed' });
    socket.ws.send('{"type":"ping"}');
    await socket.next('pong');
  });

  it('a lost signal connection is reconnected and the sockets catch up from the table: no reply is lost', async () => {
    const socket = await openSocket({ after: replies['last']!.id });
    const db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
    try {
      const { rowCount } = await db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'`);
      expect(rowCount).toBe(2); // one per ingestion replica
    } finally {
      await db.end();
    }
    const sent = await reply('sent while nobody listened 🔇');
    expect((await socket.next('reply', (d) => d.id === sent.id)).data.text).toBe('sent while nobody listened 🔇');
    replies['last'] = sent;
  });

  it('history after a reload: the visitor’s messages and the replies, oldest first, Unicode intact, paged with limit and cursor', async () => {
    const zoe = visitorApi(visitor.token);
    expect((await zoe.post(`/ingest/v1/webchat/${channelId}/messages`, { text: 'thanks 🙏', clientMessageId: 'zoe-2' })).status).toBe(202);
    const all = (await zoe.get(`/ingest/v1/webchat/${channelId}/messages`)).body;
    expect(all.nextCursor).toBeNull();
    expect(all.items.map((i: any) => [i.direction, i.text, i.clientMessageId ?? null])).toEqual([
      ['in', visitorText, 'zoe-1'],
      ['out', replyText, null],
      ['out', null, null],
      ['out', 'first while away 🌙', null],
      ['out', 'second while away ⭐', null],
      ['out', 'and one live 🎉', null],
      ['in', 'from my phone 📱', 'zoe-tab-1'],
      ['out', 'seen on both 👀', null],
      ['out', 'sent while nobody listened 🔇', null],
      ['in', 'thanks 🙏', 'zoe-2'],
    ]);
    expect(all.items[2].attachment).toMatchObject({ fileName, size: pdf.length });

    const newest = (await zoe.get(`/ingest/v1/webchat/${channelId}/messages?limit=5`)).body;
    expect(newest.items.map((i: any) => i.text)).toEqual(['and one live 🎉', 'from my phone 📱', 'seen on both 👀', 'sent while nobody listened 🔇', 'thanks 🙏']);
    const older = (await zoe.get(`/ingest/v1/webchat/${channelId}/messages?limit=3&cursor=${newest.nextCursor}`)).body;
    expect(older.items.map((i: any) => i.text)).toEqual([null, 'first while away 🌙', 'second while away ⭐']);
    const oldest = (await zoe.get(`/ingest/v1/webchat/${channelId}/messages?limit=3&cursor=${older.nextCursor}`)).body;
    expect([oldest.items.map((i: any) => i.text), oldest.nextCursor]).toEqual([[visitorText, replyText], null]);

    expect((await visitorApi(stranger.token).get(`/ingest/v1/webchat/${channelId}/messages`)).body).toEqual({ items: [], nextCursor: null });
    const forged = (at: string) => `cursor=${Buffer.from(`${at}|${randomUUID()}`).toString('base64url')}`;
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'cursor=garbage', forged('2020-01-01\u0000'), forged('1')]) {
      const refused = await zoe.get(`/ingest/v1/webchat/${channelId}/messages?${query}`);
      expect([query, refused.status, refused.body.error.code]).toEqual([query, 400, 'validation_failed']);
    }
    expect((await ingest.with({ origin }).get(`/ingest/v1/webchat/${channelId}/messages`)).status).toBe(401);
  });

  it('D15: the visitor downloads the file of a reply with his token (header or ?token=); another visitor and an unknown id get 404', async () => {
    const url = `/ingest/v1/webchat/${channelId}/attachments/${replies['file']!.id}`;
    for (const download of [() => visitorApi(visitor.token).download(url), () => ingest.with({ origin }).download(`${url}?token=${visitor.token}`)]) {
      const file = await download();
      expect(file.status).toBe(200);
      expect(file.bytes.equals(pdf)).toBe(true);
      expect(file.headers.get('content-type')).toBe('application/pdf');
      expect(file.headers.get('x-content-type-options')).toBe('nosniff');
      expect(file.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`);
    }
    expect((await visitorApi(stranger.token).download(url)).status).toBe(404);
    expect((await visitorApi(visitor.token).download(`/ingest/v1/webchat/${channelId}/attachments/${randomUUID()}`)).status).toBe(404);
    expect((await visitorApi(visitor.token).download(`/ingest/v1/webchat/${channelId}/attachments/${replies['text']!.id}`)).status).toBe(404);
    expect((await visitorApi(visitor.token).download(`/ingest/v1/webchat/${channelId}/attachments/not-an-id`)).status).toBe(400);
    expect((await ingest.download(url)).status).toBe(401);
    expect((await visitorApi(visitor.token, 'https://evil.example').download(url)).status).toBe(403);
  });

  it('D33: the stream refuses a missing, garbage, expired or other channel’s token, a disallowed Origin, an unknown channel and a bad resume point; a plain GET answers 426', async () => {
    const visitorSecret = createHmac('sha256', env.env['INTERNAL_SECRET']!).update('webchat-visitors').digest('hex');
    const expired = signToken({ channelId, visitorId: visitor.visitorId, name: 'Zoë 🌷' }, visitorSecret, 60, Date.now() - 3_600_000);
    const otherChannelToken = (await ingest.post(`/ingest/v1/webchat/${otherChannelId}/sessions`, { name: 'Other' })).body.token;
    const stream = (query: string, channel = channelId) => `/ingest/v1/webchat/${channel}/stream?${query}`;
    const cases: [string, string, Record<string, string>, number, string | RegExp][] = [
      ['no token', stream(''), { origin }, 401, /Visitor token/],
      ['a garbage token', stream('token=garbage'), { origin }, 401, /Visitor token/],
      ['an expired token', stream(`token=${expired}`), { origin }, 401, /expired/],
      ['another channel’s token', stream(`token=${otherChannelToken}`), { origin }, 401, /not for this channel/],
      ['a disallowed Origin', stream(`token=${visitor.token}`), { origin: 'https://evil.example' }, 403, 'https://evil.example'],
      ['an Origin the other channel does not allow', stream(`token=${otherChannelToken}`, otherChannelId), { origin }, 403, origin],
      ['an unknown channel', stream(`token=${visitor.token}`, randomUUID()), { origin }, 404, /No such webchat channel/],
      ['a malformed channel id', stream(`token=${visitor.token}`, 'nope'), { origin }, 400, /channelId/],
      ['a malformed resume point', stream(`token=${visitor.token}&after=nope`), { origin }, 400, /after/],
    ];
    for (const [what, path, headers, status, message] of cases) {
      const refused = await StreamClient.refusal(stack.ingestion.url, path, headers);
      expect([what, refused.status]).toEqual([what, status]);
      expect(refused.body.error.message).toEqual(expect.stringMatching(message));
    }
    expect((await StreamClient.refusal(stack.ingestion.url, '/ingest/v1/elsewhere', { origin })).status).toBe(404);
    const plain = await ingest.get(stream(`token=${visitor.token}`));
    expect([plain.status, plain.body.error.code]).toEqual([426, 'upgrade_required']);

    const own = await VisitorSocket.open(stack.ingestion.url, channelId, visitor.token, { origin: ownOrigin() });
    sockets.push(own);
    expect((await ingest.get('/ready')).status).toBe(200);
  });

  it('D33: every webchat route and its CORS preflight refuse a disallowed Origin; the channel’s origins and ingestion’s own are answered with CORS headers', async () => {
    const preflight = (from: string, path = `/ingest/v1/webchat/${channelId}/messages`) =>
      ingest.send('OPTIONS', path, undefined, { origin: from, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' });
    for (const from of [origin, ownOrigin()]) {
      const ok = await preflight(from);
      expect([ok.status, ok.headers.get('access-control-allow-origin')]).toEqual([204, from]);
      expect(ok.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    }
    expect((await preflight('https://evil.example')).status).toBe(403);
    expect((await preflight(origin, `/ingest/v1/webchat/${otherChannelId}/messages`)).status).toBe(403);

    const evil = visitorApi(visitor.token, 'https://evil.example');
    expect((await evil.post(`/ingest/v1/webchat/${channelId}/sessions`, { name: 'Eve' })).status).toBe(403);
    expect((await evil.post(`/ingest/v1/webchat/${channelId}/messages`, { text: 'hi', clientMessageId: 'evil-1' })).status).toBe(403);
    expect((await evil.get(`/ingest/v1/webchat/${channelId}/messages`)).status).toBe(403);
    expect((await evil.get(`/ingest/v1/webchat/${channelId}/demo`)).status).toBe(403);
    const history = await visitorApi(visitor.token, ownOrigin()).get(`/ingest/v1/webchat/${channelId}/messages`);
    expect([history.status, history.headers.get('access-control-allow-origin')]).toEqual([200, ownOrigin()]);
  });

  it('any page may ask whether the chat is available to it, so the widget on a page the chat does not allow can say so; it learns nothing more', async () => {
    const availability = (from: string | undefined, id = channelId) => ingest.send('GET', `/ingest/v1/webchat/${id}/availability`, undefined, from ? { origin: from } : {});
    for (const [from, body] of [
      [origin, { available: true, originAllowed: true }],
      [ownOrigin(), { available: true, originAllowed: true }],
      [undefined, { available: true, originAllowed: true }],
      ['https://evil.example', { available: false, originAllowed: false, reason: 'This chat is not available on this site' }],
    ] as const) {
      const answer = await availability(from);
      expect({ from, status: answer.status, cors: answer.headers.get('access-control-allow-origin'), body: answer.body }).toEqual({ from, status: 200, cors: '*', body });
    }
    expect((await admin.patch(`/api/v1/channels/${otherChannelId}`, { enabled: false })).status).toBe(200);
    expect((await availability(ownOrigin(), otherChannelId)).body).toEqual({ available: false, originAllowed: true, reason: 'This chat is closed for now: please try again later' });
    expect((await availability('https://evil.example', otherChannelId)).body).toEqual({ available: false, originAllowed: false, reason: 'This chat is not available on this site' });
    expect((await admin.patch(`/api/v1/channels/${otherChannelId}`, { enabled: true })).status).toBe(200);
    const unknown = await availability('https://evil.example', '00000000-0000-4000-8000-000000000000');
    expect([unknown.status, unknown.headers.get('access-control-allow-origin'), unknown.body.error.code]).toEqual([404, '*', 'not_found']);
    expect((await availability(origin, 'not-a-uuid')).status).toBe(400);
  });

  it('a switched-off chat tells its visitor why, in an answer the widget may read (CORS headers on the 403); switched on, it works again', async () => {
    const from = ingest.with({ origin: ownOrigin() });
    expect((await admin.patch(`/api/v1/channels/${otherChannelId}`, { enabled: false })).status).toBe(200);
    const preflight = await ingest.send('OPTIONS', `/ingest/v1/webchat/${otherChannelId}/sessions`, undefined, { origin: ownOrigin(), 'access-control-request-method': 'POST' });
    expect([preflight.status, preflight.headers.get('access-control-allow-origin')]).toEqual([204, ownOrigin()]);
    const refused = await from.post(`/ingest/v1/webchat/${otherChannelId}/sessions`, { name: 'Late visitor' });
    expect({ status: refused.status, cors: refused.headers.get('access-control-allow-origin'), message: refused.body.error.message }).toEqual({
      status: 403,
      cors: ownOrigin(),
      message: 'This chat is closed for now: please try again later',
    });
    expect((await admin.patch(`/api/v1/channels/${otherChannelId}`, { enabled: true })).status).toBe(200);
    expect((await from.post(`/ingest/v1/webchat/${otherChannelId}/sessions`, { name: 'Late visitor' })).status).toBe(201);
  });

  it('lines kept at once from both sides, on both replicas, reach an open stream each exactly once', async () => {
    const [newest] = (await visitorApi(visitor.token).get(`/ingest/v1/webchat/${channelId}/messages?limit=1`)).body.items;
    const socket = await openSocket({ after: newest.id });
    const tabs = [visitorApi(visitor.token), new HttpClient(secondIngestion.url).with({ origin }).bearer(visitor.token)];
    const [sent, answered] = await Promise.all([
      Promise.all(Array.from({ length: 20 }, (_, i) => tabs[i % 2]!.post(`/ingest/v1/webchat/${channelId}/messages`, { text: `burst ${i}`, clientMessageId: `burst-${i}` }))),
      Promise.all(Array.from({ length: 10 }, (_, i) => reply(`answer ${i}`))),
    ]);
    const ids = [...sent.map((r) => r.body.id as string), ...answered.map((r) => r.id)];
    await waitFor('every line on the stream', () => ids.every((id) => socket.frames.some((f) => f.data.id === id)));
    await sleep(300);
    const streamed = socket.frames.filter((f) => f.type === 'message' || f.type === 'reply').map((f) => f.data.id as string);
    expect([...streamed].sort()).toEqual([...ids].sort());
    replies['last'] = answered.at(-1)!;
  });

  it('a switched-off chat closes its open widgets’ streams at once with 4403 and the reason, on every replica; switched on, they connect again', async () => {
    const [here, there] = [await openSocket(), await openSocket({ via: secondIngestion })];
    expect((await admin.patch(`/api/v1/channels/${channelId}`, { enabled: false })).status).toBe(200);
    try {
      for (const socket of [here, there]) expect(await socket.closed).toEqual({ code: 4403, reason: 'This chat is closed for now: please try again later' });
      const refused = await StreamClient.refusal(secondIngestion.url, `/ingest/v1/webchat/${channelId}/stream?token=${visitor.token}`, { origin });
      expect(refused.status).toBe(403);
    } finally {
      expect((await admin.patch(`/api/v1/channels/${channelId}`, { enabled: true })).status).toBe(200);
    }
    // The other replica hears of the change a moment after the PATCH answers, as a widget's retry would.
    await waitFor('the stream admits again', () => openSocket({ via: secondIngestion, after: replies['last']!.id }).catch(() => undefined));
  });

  it('a page whose origin the channel no longer allows has its stream closed with 4403 naming the origin', async () => {
    const socket = await openSocket();
    const bystander = await VisitorSocket.open(stack.ingestion.url, channelId, visitor.token, { origin: ownOrigin() });
    sockets.push(bystander);
    expect((await admin.patch(`/api/v1/channels/${channelId}`, { settings: { allowedOrigins: [] } })).status).toBe(200);
    try {
      expect(await socket.closed).toEqual({ code: 4403, reason: `Origin ${origin} may not use this webchat channel` });
      const later = await reply('only the allowed page hears this');
      await bystander.next('reply', (d) => d.id === later.id);
      replies['last'] = later;
    } finally {
      expect((await admin.patch(`/api/v1/channels/${channelId}`, { settings: { allowedOrigins: [origin] } })).status).toBe(200);
    }
  });

  it('a switched-off chat sends no reply either: the operator sees it failed, the visitor never gets it', async () => {
    expect((await admin.patch(`/api/v1/channels/${channelId}`, { enabled: false })).status).toBe(200);
    try {
      const held = await reply('while the chat is off');
      const failed = await waitFor('reported failed', async () => {
        const message = (await ann.get(`/api/v1/conversations/${conversationId}/messages`)).body.items.find((m: { id: string }) => m.id === held.id);
        return message?.deliveryStatus === 'failed' ? message : undefined;
      });
      expect(failed.deliveryError).toEqual({ code: 'channel_disabled', title: expect.stringMatching(/is disabled$/) });
    } finally {
      expect((await admin.patch(`/api/v1/channels/${channelId}`, { enabled: true })).status).toBe(200);
    }
    const socket = await openSocket();
    const after = await reply('the chat is on again');
    await socket.next('reply', (d) => d.id === after.id);
    expect(socket.replies().map((r) => r.text)).not.toContain('while the chat is off');
  });

  it('D15: a reply that failed, text or file, is sent again by its holder as a new message with the same text or file; nothing else can be resent', async () => {
    const failedOf = async (send: () => Promise<{ id: string }>) => {
      const sent = await send();
      return waitFor('reported failed', async () => ((await ann.get(`/api/v1/conversations/${conversationId}/messages`)).body.items as any[]).find((m) => m.id === sent.id && m.deliveryStatus === 'failed'));
    };
    expect((await admin.patch(`/api/v1/channels/${channelId}`, { enabled: false })).status).toBe(200);
    let text: any;
    let file: any;
    try {
      text = await failedOf(() => reply('sent while off, again later'));
      file = await failedOf(async () => {
        const form = new FormData();
        form.append('file', new Blob([pdf], { type: 'application/pdf' }), 'again.pdf');
        return (await ann.postForm(`/api/v1/conversations/${conversationId}/messages`, form)).body;
      });
    } finally {
      expect((await admin.patch(`/api/v1/channels/${channelId}`, { enabled: true })).status).toBe(200);
    }
    const socket = await openSocket({ after: replies['last']!.id });
    const again = await ann.with({ 'idempotency-key': 'again-text' }).post(`/api/v1/conversations/${conversationId}/messages`, { resendOf: text.id });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ direction: 'out', kind: 'text', text: 'sent while off, again later' });
    expect(again.body.id).not.toBe(text.id);
    const fileAgain = await ann.post(`/api/v1/conversations/${conversationId}/messages`, { resendOf: file.id });
    expect(fileAgain.body).toMatchObject({ kind: 'file', attachment: { fileName: 'again.pdf', size: pdf.length } });
    await socket.next('reply', (d) => d.id === again.body.id);
    const fileFrame = await socket.next('reply', (d) => d.id === fileAgain.body.id);
    const bytes = await visitorApi(visitor.token).download(fileFrame.data.attachment.url);
    expect(bytes.bytes.equals(pdf)).toBe(true);
    replies['last'] = fileAgain.body;

    const refusals = [
      [{ resendOf: again.body.id }, 409],
      [{ resendOf: randomUUID() }, 404],
      [{ resendOf: text.id, text: 'both' }, 400],
      [{ resendOf: 'not-an-id' }, 400],
      [{}, 400],
    ] as const;
    for (const [body, status] of refusals) expect([body, (await ann.post(`/api/v1/conversations/${conversationId}/messages`, body)).status]).toEqual([body, status]);
  });

  it('a public chat is bounded: the 21st new chat from one address in 10 minutes and a visitor’s 31st message in a minute answer 429 with Retry-After, readable by the page', async () => {
    const sales = (await admin.get('/api/v1/groups')).body.items.find((g: { name: string }) => g.name === 'Sales').id;
    const busy = (await admin.post('/api/v1/channels', { type: 'webchat', name: 'Busy chat', groupId: sales, settings: { allowedOrigins: [origin] } })).body.id;
    const page = ingest.with({ origin });
    const sessions = [];
    for (let i = 0; i < 21; i++) sessions.push(await page.post(`/ingest/v1/webchat/${busy}/sessions`, { name: `Visitor ${i}` }));
    expect(sessions.map((s) => s.status)).toEqual([...Array(20).fill(201), 429]);
    const refused = sessions[20]!;
    expect(refused.body.error).toMatchObject({ code: 'rate_limited', message: expect.stringMatching(/^Too many new chats from this address; try again in \d+ s$/) });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('access-control-allow-origin')).toBe(origin);

    const chatty = visitorApi(sessions[0]!.body.token);
    const sent = [];
    for (let i = 0; i < 31; i++) sent.push((await chatty.post(`/ingest/v1/webchat/${busy}/messages`, { text: `line ${i}`, clientMessageId: `chatty-${i}` })).status);
    expect(sent).toEqual([...Array(30).fill(202), 429]);
    expect((await visitorApi(sessions[1]!.body.token).post(`/ingest/v1/webchat/${busy}/messages`, { text: 'another visitor', clientMessageId: 'other-1' })).status).toBe(202);
  });

  it('the widget is served as JavaScript, its file picker offering what webchat takes, and the demo page embeds it for its channel', async () => {
    const widget = await ingest.download('/ingest/v1/webchat/widget.js');
    expect(widget.status).toBe(200);
    expect(widget.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(widget.bytes.toString('utf8')).toContain('attachShadow');
    expect(widget.bytes.toString('utf8')).toContain("accept: '.png,.jpg,.jpeg,.gif,.webp,.pdf,.txt,.csv,.doc,.docx,.xls,.xlsx,.ppt,.pptx'");

    const demo = await ingest.download(`/ingest/v1/webchat/${channelId}/demo`);
    expect([demo.status, demo.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    expect(demo.bytes.toString('utf8')).toContain(`<script src="/ingest/v1/webchat/widget.js" data-channel-id="${channelId}"`);
    expect((await ingest.download(`/ingest/v1/webchat/${randomUUID()}/demo`)).status).toBe(404);
  });

  describe('the visitor’s own files (D15)', () => {
    const png = Buffer.concat([Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64'), randomBytes(50_000)]);
    const photoName = 'Фото «заказ» 📷.png';
    const caption = 'Вот так пришло 📦💔 — look';
    const messagesPath = () => `/ingest/v1/webchat/${channelId}/messages`;
    let uma: { visitorId: string; token: string };
    let photo: { id: string };
    let db: Client;

    type Part = [name: string, value: string | { bytes: Buffer; fileName: string }];
    const file = (fileName: string, bytes = png): Part => ['file', { bytes, fileName }];
    const photoParts: Part[] = [['clientMessageId', 'uma-photo'], ['text', caption], file(photoName)];
    /** The widget's multipart message: its parts in the order given, as FormData keeps them. */
    const upload = (parts: Part[], token = uma.token, from = origin) => {
      const form = new FormData();
      for (const [name, value] of parts) {
        if (typeof value === 'string') form.append(name, value);
        else form.append(name, new Blob([value.bytes]), value.fileName);
      }
      return visitorApi(token, from).postForm(messagesPath(), form);
    };
    /** What an upload may leave behind: blobs, and the visitor's lines in the widget's history. */
    const stored = async (who = uma) => ({
      blobs: (await readdir(blobDir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).length,
      lines: (await db.query('SELECT count(*)::int AS n FROM ingestion.webchat_visitor_message WHERE visitor_id = $1', [who.visitorId])).rows[0].n as number,
    });
    const umaConversation = () => waitFor('Uma listed for Ann', async () => (await ann.get('/api/v1/conversations?tab=unassigned')).body.items.find((i: any) => i.client.name === 'Uma 🦋')?.id as string | undefined);
    /** The operator's view of Uma's messages once `text`, sent after everything before it, has arrived: nothing earlier can still be on its way. */
    const umaMessagesUpTo = async (text: string, clientMessageId: string) => {
      expect((await visitorApi(uma.token).post(messagesPath(), { text, clientMessageId })).status).toBe(202);
      const id = await umaConversation();
      return waitFor(`"${text}" arrived`, async () => {
        const items = (await ann.get(`/api/v1/conversations/${id}/messages`)).body.items as any[];
        return items.some((m) => m.text === text) ? items.map((m) => [m.kind, m.text]) : undefined;
      });
    };

    beforeAll(async () => {
      db = new Client({ connectionString: env.databaseUrl });
      await db.connect();
      uma = (await ingest.with({ origin }).post(`/ingest/v1/webchat/${channelId}/sessions`, { name: 'Uma 🦋' })).body;
    });

    afterAll(async () => {
      await db?.end();
    });

    it('D15, D20: a visitor’s PNG with a caption reaches the operator through the gateway, who downloads the same bytes; the visitor’s other tab gets it as a message with its file', async () => {
      const otherTab = await openSocket({ token: uma.token });
      const sent = await upload(photoParts);
      expect([sent.status, sent.headers.get('access-control-allow-origin')]).toEqual([202, origin]);
      photo = sent.body;

      const frame = await otherTab.next('message', (d) => d.id === photo.id);
      expect(frame.data).toEqual({
        id: photo.id,
        direction: 'in',
        text: caption,
        clientMessageId: 'uma-photo',
        attachment: { fileName: photoName, mimeType: 'image/png', size: png.length, url: `/ingest/v1/webchat/${channelId}/attachments/${photo.id}` },
        createdAt: expect.any(String),
      });

      const [message] = await waitFor('the photo for Ann', async () => (await ann.get(`/api/v1/conversations/${await umaConversation()}/messages`)).body.items);
      expect(message).toMatchObject({ direction: 'in', kind: 'file', text: caption, attachment: { fileName: photoName, mimeType: 'image/png', size: png.length } });
      const download = await ann.download(message.attachment.url);
      expect([download.status, download.headers.get('content-type')]).toEqual([200, 'image/png']);
      expect(download.bytes.equals(png)).toBe(true);
    });

    it('D15: the same clientMessageId twice is one message and one blob, sent again as a file or as a text', async () => {
      const before = await stored();
      const again = await upload(photoParts);
      expect([again.status, again.body]).toEqual([202, { id: photo.id, duplicate: true }]);
      const asText = await visitorApi(uma.token).post(messagesPath(), { text: 'the same message', clientMessageId: 'uma-photo' });
      expect([asText.status, asText.body.id]).toEqual([202, photo.id]);
      expect(await stored()).toEqual(before);
      expect(await umaMessagesUpTo('one photo only', 'uma-2')).toEqual([['file', caption], ['text', 'one photo only']]);
    });

    it('D15, D34: the visitor downloads his own file with his token (header or ?token=); another visitor gets 404, no token 401', async () => {
      const url = `/ingest/v1/webchat/${channelId}/attachments/${photo.id}`;
      for (const download of [() => visitorApi(uma.token).download(url), () => ingest.with({ origin }).download(`${url}?token=${uma.token}`)]) {
        const own = await download();
        expect([own.status, own.headers.get('content-type'), own.headers.get('x-content-type-options')]).toEqual([200, 'image/png', 'nosniff']);
        expect(own.bytes.equals(png)).toBe(true);
      }
      expect((await visitorApi(stranger.token).download(url)).status).toBe(404);
      expect((await visitorApi(visitor.token).download(url)).status).toBe(404);
      expect((await ingest.with({ origin }).download(url)).status).toBe(401);
    });

    it('D15, D33: a bad upload gets a clear 4xx the widget can read, and nothing is stored or sent: empty, over 10 MB, a type webchat does not take, bytes that belie the name, two files, no file, unknown fields, clientMessageId after the file, a broken body', async () => {
      const zip = Buffer.concat([Buffer.from('504b0304', 'hex'), randomBytes(2000)]);
      const exe = Buffer.concat([Buffer.from('MZ'), randomBytes(4000)]);
      const tooBig = Buffer.concat([png, Buffer.alloc(10_000_001 - png.length)]);
      const cases: [string, Part[], number, RegExp][] = [
        ['an empty file', [file('empty.png', Buffer.alloc(0))], 400, /"empty\.png" is empty/],
        ['a file over the limit', [file('huge.png', tooBig)], 413, /"huge\.png" is larger than the 10 MB a webchat conversation takes for image\/png files/],
        ['a zip', [file('archive.zip', zip)], 415, /webchat conversation does not take application\/zip/],
        ['an .exe', [file('setup.exe', exe)], 415, /Files named \.exe are not taken/],
        ['a PDF named .png', [file('photo.png', pdf)], 415, /content of "photo\.png" is application\/pdf, not the image\/png its name says/],
        ['text named .png', [file('photo.png', Buffer.from('just words'))], 415, /plain text, not the image\/png/],
        ['two files', [file('a.png'), file('b.png')], 400, /exactly one file/],
        ['the file in another part', [['document', { bytes: png, fileName: 'a.png' }]], 400, /exactly one file/],
        ['no file', [['text', 'no file']], 400, /part named "file"/],
        ['an unknown field', [['html', '<b>hi</b>'], file('a.png')], 400, /html/],
        ['a blank caption', [['text', ' \u200b '], file('a.png')], 400, /text: must not be blank/],
        ['clientMessageId after the file', [file('a.png'), ['clientMessageId', 'uma-late']], 400, /clientMessageId: must come before the file/],
      ];
      for (const [what, parts, status, message] of cases) {
        const before = await stored();
        const refused = await upload(parts);
        expect({ what, status: refused.status, cors: refused.headers.get('access-control-allow-origin') }).toEqual({ what, status, cors: origin });
        expect(refused.body.error.message).toEqual(expect.stringMatching(message));
        expect(await stored()).toEqual(before);
      }
      const broken = await visitorApi(uma.token).send('POST', messagesPath(), undefined, { 'content-type': 'multipart/form-data; boundary=xyz' }, '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n\x89PNG');
      expect([broken.status, broken.body.error.code]).toEqual([400, 'validation_failed']);
      expect(await umaMessagesUpTo('after the refusals', 'uma-3')).toEqual([['file', caption], ['text', 'one photo only'], ['text', 'after the refusals']]);
    });

    it('D33: a switched-off chat refuses an upload in its “closed for now” words, readable by the page; a foreign Origin and a missing token are refused as for a text', async () => {
      const before = await stored();
      expect((await admin.patch(`/api/v1/channels/${channelId}`, { enabled: false })).status).toBe(200);
      try {
        const closed = await upload([['clientMessageId', 'uma-closed'], file('closed.png')]);
        expect({ status: closed.status, cors: closed.headers.get('access-control-allow-origin'), message: closed.body.error.message }).toEqual({
          status: 403,
          cors: origin,
          message: 'This chat is closed for now: please try again later',
        });
      } finally {
        expect((await admin.patch(`/api/v1/channels/${channelId}`, { enabled: true })).status).toBe(200);
      }
      const foreign = await upload([file('evil.png')], uma.token, 'https://evil.example');
      expect([foreign.status, foreign.headers.get('access-control-allow-origin')]).toEqual([403, null]);
      const form = new FormData();
      form.append('file', new Blob([png]), 'anonymous.png');
      const anonymous = await ingest.with({ origin }).postForm(messagesPath(), form);
      expect([anonymous.status, anonymous.headers.get('access-control-allow-origin')]).toEqual([401, origin]);
      expect(await stored()).toEqual(before);
    });

    it('an upload counts as a message against the visitor’s limit: past 30 in a minute it answers 429 with Retry-After, readable by the page, and stores nothing', async () => {
      const rita = (await ingest.with({ origin }).post(`/ingest/v1/webchat/${channelId}/sessions`, { name: 'Rita' })).body;
      for (let i = 0; i < 29; i++) expect((await visitorApi(rita.token).post(messagesPath(), { text: `line ${i}`, clientMessageId: `rita-${i}` })).status).toBe(202);
      expect((await upload([['clientMessageId', 'rita-file'], file('thirtieth.png')], rita.token)).status).toBe(202);
      const before = await stored(rita);
      const refused = await upload([['clientMessageId', 'rita-late'], file('late.png')], rita.token);
      expect({ status: refused.status, code: refused.body.error.code, cors: refused.headers.get('access-control-allow-origin') }).toEqual({ status: 429, code: 'rate_limited', cors: origin });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await visitorApi(rita.token).post(messagesPath(), { text: 'and a text', clientMessageId: 'rita-text' })).status).toBe(429);
      expect(await stored(rita)).toEqual(before);
    });
  });
});
