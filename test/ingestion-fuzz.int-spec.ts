import { randomUUID } from 'node:crypto';
import {
  createTestEnv,
  HttpClient,
  rabbitAdminGet,
  signWhatsappWebhook,
  startStack,
  TelegramStandIn,
  waitFor,
  WhatsappStandIn,
  whatsappWebhookBody,
  Workspace,
  type Answer,
  type Stack,
  type TestEnv,
} from '@relaydesk/testing';
import { deadLettersOf } from './support/dead-letters';
import { HOSTILE_BODIES, HOSTILE_QUERIES, HOSTILE_VALUES, FuzzRun, nodePaths, withNode } from './support/hostile-input';

/**
 * D33 over ingestion's public edge, where the platforms and the widget write: each route gets a
 * valid request (signed, with its key or token), then that request with each node of its body, at
 * any depth, replaced by each hostile value, hostile whole bodies, hostile query values and channel
 * ids. No answer may be a 5xx, and what ingestion accepts must be stored: no consumer behind it
 * dead-letters any of it.
 */
describe("ingestion's public routes, fuzzed", () => {
  const accessToken = 'fuzz-wa-access-token';
  const appSecret = 'fuzz-wa-app-secret';
  const phoneNumberId = '106540352242977';
  const botToken = '7012345678:AAH-fuzz_token';
  const secretToken = 'fuzz_Secret-123';
  const apiKey = `fuzz-key-${randomUUID()}`;
  const HOSTILE_PATH_SEGMENTS = ['%00', '%ED%A0%80', 'x'.repeat(3000), "'%20OR%201=1", '..%2F..%2Fetc', randomUUID()];

  let env: TestEnv;
  let stack: Stack;
  let whatsapp: WhatsappStandIn;
  let telegram: TelegramStandIn;
  let ingest: HttpClient;
  const channels: Record<'api' | 'whatsapp' | 'telegram' | 'webchat', string> = { api: '', whatsapp: '', telegram: '', webchat: '' };
  let visitorToken: string;
  let sequence = 0;

  beforeAll(async () => {
    whatsapp = await WhatsappStandIn.start({ accessToken });
    telegram = await TelegramStandIn.start({ botToken });
    env = await createTestEnv();
    stack = await startStack(env.env);
    const workspace = await Workspace.open(stack);
    const sales = await workspace.group('Sales');
    const create = async (type: string, settings: Record<string, unknown>) => {
      const created = await workspace.admin.post('/api/v1/channels', { type, name: `Fuzzed ${type}`, groupId: sales, settings });
      expect(created.status).toBe(201);
      return created.body.id as string;
    };
    channels.api = await create('api', { apiKey });
    channels.whatsapp = await create('whatsapp', { phoneNumberId, accessToken, appSecret, verifyToken: 'fuzz-verify', apiBaseUrl: whatsapp.apiBaseUrl });
    channels.telegram = await create('telegram', { botToken, secretToken, apiBaseUrl: telegram.apiBaseUrl });
    channels.webchat = await create('webchat', { allowedOrigins: [] });
    ingest = new HttpClient(stack.ingestion.url);
    visitorToken = (await ingest.post(`/ingest/v1/webchat/${channels.webchat}/sessions`, { name: 'Fuzzed visitor' })).body.token;
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await env?.dispose();
    await whatsapp?.stop();
    await telegram?.stop();
  });

  /** A valid body of each route, fresh ids each time so that none is taken for a repeat. */
  const client = () => `fuzz-${++sequence % 40}`;
  const bodies = {
    api: () => ({ channel: 'api', channelId: channels.api, externalClientId: client(), clientName: 'Fuzzed', externalMessageId: `m-${++sequence}`, sentAt: new Date().toISOString(), text: 'hello' }),
    whatsappMessage: () =>
      whatsappWebhookBody(phoneNumberId, { messages: [{ from: `49151${String(++sequence % 40).padStart(7, '0')}`, id: `wamid.fuzz${sequence}`, type: 'text', text: { body: 'hello' } }] }),
    whatsappStatus: () =>
      whatsappWebhookBody(phoneNumberId, { statuses: [{ id: `wamid.out${++sequence}`, status: 'delivered', timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: '4915100000001' }] }),
    telegram: () => ({
      update_id: ++sequence,
      message: { message_id: sequence, from: { id: 9000 + (sequence % 40), is_bot: false, first_name: 'Fuzzed' }, chat: { id: 9000 + (sequence % 40), type: 'private', first_name: 'Fuzzed' }, date: Math.floor(Date.now() / 1000), text: 'hello' },
    }),
    webchatMessage: () => ({ text: 'hello', clientMessageId: `c-${++sequence}` }),
  };

  /** How each route is sent: the body's bytes, signed or carrying the key or token the route asks for. */
  const senders: Record<string, (body: string, channelId?: string) => Promise<Answer>> = {
    'POST /ingest/v1/messages': (raw) => ingest.bearer(apiKey).send('POST', '/ingest/v1/messages', undefined, {}, raw),
    'POST /ingest/v1/whatsapp/:channelId': (raw, channelId = channels.whatsapp) => {
      const signed = signWhatsappWebhook(JSON.parse(raw), appSecret);
      return ingest.send('POST', `/ingest/v1/whatsapp/${channelId}`, undefined, { 'x-hub-signature-256': signed.signature }, signed.bytes.toString('utf8'));
    },
    'POST /ingest/v1/telegram/:channelId': (raw, channelId = channels.telegram) =>
      ingest.send('POST', `/ingest/v1/telegram/${channelId}`, undefined, { 'x-telegram-bot-api-secret-token': secretToken }, raw),
    'POST /ingest/v1/webchat/:channelId/sessions': (raw, channelId = channels.webchat) => ingest.send('POST', `/ingest/v1/webchat/${channelId}/sessions`, undefined, {}, raw),
    'POST /ingest/v1/webchat/:channelId/messages': (raw, channelId = channels.webchat) =>
      ingest.bearer(visitorToken).send('POST', `/ingest/v1/webchat/${channelId}/messages`, undefined, {}, raw),
  };
  const valid: Record<string, () => unknown> = {
    'POST /ingest/v1/messages': bodies.api,
    'POST /ingest/v1/whatsapp/:channelId': () => (sequence % 2 ? bodies.whatsappMessage() : bodies.whatsappStatus()),
    'POST /ingest/v1/telegram/:channelId': bodies.telegram,
    'POST /ingest/v1/webchat/:channelId/sessions': () => ({ name: 'Fuzzed visitor' }),
    'POST /ingest/v1/webchat/:channelId/messages': bodies.webchatMessage,
  };

  it('D33: no node of a body, whole body, query value or channel id makes a public route answer 5xx, and what they accept is stored', async () => {
    const run = new FuzzRun();

    for (const [route, send] of Object.entries(senders)) {
      const samples = route.includes('whatsapp') ? [bodies.whatsappMessage(), bodies.whatsappStatus()] : [valid[route]!()];
      for (const sample of samples) {
        const answer = await send(JSON.stringify(sample));
        run.judge(`${route} valid`, answer);
        if (answer.status >= 300) run.fail(`${route}, the valid request`, answer);
        for (const path of nodePaths(sample)) {
          for (const value of HOSTILE_VALUES) {
            const fresh = route.includes('whatsapp') ? (JSON.stringify(sample).includes('statuses') ? bodies.whatsappStatus() : bodies.whatsappMessage()) : valid[route]!();
            run.judge(`${route} ${path.join('.')}=${JSON.stringify(value)?.slice(0, 12)}`, await send(JSON.stringify(withNode(fresh, path, value))));
          }
        }
      }
      for (const raw of HOSTILE_BODIES) {
        // A WhatsApp webhook is signed over its bytes; these are not all JSON, so they go unsigned.
        const answer = route.includes('whatsapp') ? await ingest.send('POST', `/ingest/v1/whatsapp/${channels.whatsapp}`, undefined, {}, raw) : await send(raw);
        run.judge(`${route} body ${raw.slice(0, 12)}`, answer);
      }
      if (route.includes(':channelId')) {
        for (const segment of HOSTILE_PATH_SEGMENTS) {
          const body = JSON.stringify(valid[route]!());
          run.judge(`${route} channelId=${segment.slice(0, 12)}`, await send(body, segment));
        }
      }
    }

    const gets = [
      (q: string) => `/ingest/v1/whatsapp/${channels.whatsapp}?hub.mode=subscribe&hub.verify_token=${q}&hub.challenge=${q}`,
      (q: string) => `/ingest/v1/webchat/${channels.webchat}/messages?cursor=${q}`,
      (q: string) => `/ingest/v1/webchat/${channels.webchat}/messages?limit=${q}`,
      (q: string) => `/ingest/v1/webchat/${channels.webchat}/attachments/${q}`,
      (q: string) => `/ingest/v1/webchat/${q}/demo`,
      (q: string) => `/ingest/v1/webchat/${q}/stream`,
    ];
    for (const url of gets) for (const q of [...HOSTILE_QUERIES, ...HOSTILE_PATH_SEGMENTS]) run.judge(`GET ${url(q).slice(0, 60)}`, await ingest.bearer(visitorToken).get(url(q)));
    for (const token of ['', 'Bearer', 'Bearer x.y.z', `Bearer ${visitorToken}x`, `Bearer ${'a'.repeat(10_000)}`]) {
      run.judge(`webchat token ${token.slice(0, 12)}`, await ingest.with({ authorization: token }).post(`/ingest/v1/webchat/${channels.webchat}/messages`, bodies.webchatMessage()));
    }

    expect(run.failures).toEqual([]);
    console.info(`ingestion fuzz: ${run.sent} requests`);
    expect(run.sent).toBeGreaterThan(1_000);

    // Every queue behind ingestion drains (the management API counts every few seconds: twice at 0).
    let quietPolls = 0;
    await waitFor(
      'the queues behind ingestion drained',
      async () => {
        const queues = (await rabbitAdminGet(`/api/queues/${encodeURIComponent(env.name)}?columns=name,messages`)) as { name: string; messages?: number }[];
        const waiting = queues.filter((q) => !q.name.endsWith('.dlq') && /^(routing|conversation)\./.test(q.name)).reduce((n, q) => n + (q.messages ?? 0), 0);
        quietPolls = waiting === 0 ? quietPolls + 1 : 0;
        return quietPolls >= 2;
      },
      { timeoutMs: 60_000, intervalMs: 5_000 },
    );
    const letters = await deadLettersOf(env);
    expect(letters).toMatchObject({ 'routing.inbound': [], 'conversation.inbound': [] });
    expect(letters).toEqual(Object.fromEntries(Object.keys(letters).map((consumer) => [consumer, []])));
  }, 300_000);
});
