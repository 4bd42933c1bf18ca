import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Bus, makeEnvelope, peekDeadLetters } from '@relaydesk/bus';
import { createLogger } from '@relaydesk/service-kit';
import {
  createTestEnv,
  HttpClient,
  postWhatsappWebhook,
  startStack,
  waitFor,
  whatsappWebhookBody,
  WhatsappStandIn,
  Workspace,
  type Stack,
  type TestEnv,
  type WhatsappWebhookMessage,
} from '@relaydesk/testing';

const png = Buffer.concat([Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64'), randomBytes(2000)]);
const pdf = Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');
const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42'), Buffer.alloc(4), Buffer.from('mp42isom'), randomBytes(400)]);
const ogg = Buffer.concat([Buffer.from('OggS\0\x02', 'latin1'), Buffer.alloc(22), Buffer.from('\x01\x1eOpusHead', 'latin1'), randomBytes(500)]);

/** The WhatsApp Cloud API channel in and out, against a stand-in Graph API speaking Meta's shapes. */
describe('WhatsApp Cloud API channel', () => {
  const accessToken = 'wa-access-token-456';
  const appSecret = 'wa-app-secret-456';
  const phoneNumberId = '106540352242922';
  let env: TestEnv;
  let stack: Stack;
  let standIn: WhatsappStandIn;
  let elsewhere: { server: Server; url: string; hits: number };
  let admin: HttpClient;
  let ann: HttpClient;
  let channelId: string;
  let sequence = 0;

  const nextId = () => `wamid.HBgL${Date.now()}${++sequence}`;
  const clientNumber = () => `49151${String(1_000_000 + ++sequence).slice(-7)}`;
  const send = (messages: WhatsappWebhookMessage[], names?: Record<string, string>) => postWhatsappWebhook(stack.ingestion.url, channelId, appSecret, whatsappWebhookBody(phoneNumberId, { messages, ...(names ? { names } : {}) }));
  const sendRaw = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${stack.ingestion.url}/ingest/v1/whatsapp/${channelId}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }).then(async (r) => ({ status: r.status, body: await r.json().catch(() => null) }));
  const all = async (): Promise<any[]> => (await admin.get('/api/v1/conversations?tab=all&limit=100')).body.items;
  const conversationOf = (name: string) => waitFor(`conversation of ${name}`, async () => (await all()).find((c) => c.client.name === name)?.id as string | undefined);
  const history = async (conversation: string): Promise<any[]> => (await admin.get(`/api/v1/conversations/${conversation}/messages`)).body.items;
  const messageCount = async () => (await Promise.all((await all()).map((c) => history(c.id)))).flat().length;

  /** A client writes; Ann takes the conversation, so she may answer. */
  async function conversationWith(name: string): Promise<string> {
    const from = clientNumber();
    expect((await send([{ from, id: nextId(), type: 'text', text: { body: 'Hello' } }], { [from]: name })).status).toBe(200);
    const id = await conversationOf(name);
    expect((await ann.post(`/api/v1/conversations/${id}/take`)).status).toBe(200);
    return id;
  }

  async function reply(conversation: string, text: string): Promise<string> {
    const sent = await ann.post(`/api/v1/conversations/${conversation}/messages`, { text });
    expect(sent.status).toBe(201);
    return sent.body.id as string;
  }

  const deliveryOf = (conversation: string, messageId: string, status: string) =>
    waitFor(`delivery ${status}`, async () => {
      const message = (await history(conversation)).find((m) => m.id === messageId);
      return message?.deliveryStatus === status ? message : undefined;
    }, { timeoutMs: 20_000 });

  beforeAll(async () => {
    standIn = await WhatsappStandIn.start({ accessToken });
    const server = createServer((_req, res) => {
      elsewhere.hits++;
      res.end('secret');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    elsewhere = { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: 0 };
    env = await createTestEnv();
    stack = await startStack(env.env, { OUTBOUND_RETRY_DELAYS_MS: '300,300' });
    const workspace = await Workspace.open(stack);
    admin = workspace.admin;
    const sales = await workspace.group('Sales');
    ann = (await workspace.operator('Ann', [sales])).api;
    const created = await admin.post('/api/v1/channels', {
      type: 'whatsapp',
      name: 'WhatsApp',
      groupId: sales,
      settings: { phoneNumberId, accessToken, appSecret, verifyToken: 'verify-me-please', apiBaseUrl: standIn.apiBaseUrl },
    });
    expect(created.status).toBe(201);
    channelId = created.body.id;
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await env?.dispose();
    await standIn?.stop();
    elsewhere?.server.close();
  });

  it("Meta's verification: the right verify token echoes hub.challenge; a wrong one 403, a bad query 400, an unknown channel 404", async () => {
    const ingest = new HttpClient(stack.ingestion.url);
    const ok = await ingest.get(`/ingest/v1/whatsapp/${channelId}?hub.mode=subscribe&hub.verify_token=verify-me-please&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(String(ok.body)).toBe('1158201444');
    expect((await ingest.get(`/ingest/v1/whatsapp/${channelId}?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`)).status).toBe(403);
    expect((await ingest.get(`/ingest/v1/whatsapp/${channelId}?hub.verify_token=verify-me-please`)).status).toBe(400);
    expect((await ingest.get(`/ingest/v1/whatsapp/0194d1f2-0000-7000-8000-000000000000?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1`)).status).toBe(404);
  });

  it('D15: a text signed over the bytes Meta sends (non-ASCII escaped as \\uXXXX) reaches the operators intact', async () => {
    const from = clientNumber();
    const text = 'Привет 👋🏽 — ¿dónde está mi pedido? 日本語';
    const answer = await send([{ from, id: nextId(), type: 'text', text: { body: text } }], { [from]: 'Zoë Ünal 🌸' });
    expect(answer).toMatchObject({ status: 200, body: { accepted: 1 } });
    const id = await conversationOf('Zoë Ünal 🌸');
    expect((await history(id)).map((m) => m.text)).toEqual([text]);
    const item = (await all()).find((c) => c.id === id);
    expect(item.client).toMatchObject({ name: 'Zoë Ünal 🌸', channel: 'whatsapp' });
  });

  it('D20: a NUL or an unpaired surrogate from WhatsApp becomes U+FFFD; the rest of the message and the name are stored as sent', async () => {
    const from = clientNumber();
    const answer = await send([{ from, id: nextId(), type: 'text', text: { body: 'Where\u0000 is it? \uD83D 📦' } }], { [from]: 'Nul\u0000 Ünal' });
    expect(answer).toMatchObject({ status: 200, body: { accepted: 1 } });
    const id = await conversationOf('Nul\uFFFD Ünal');
    expect((await history(id)).map((m) => m.text)).toEqual(['Where\uFFFD is it? \uFFFD 📦']);
  });

  it('D15: image, document, voice, video and sticker are fetched from the Graph API into our store; the download is the same bytes', async () => {
    const from = clientNumber();
    standIn.addMedia('media-image-1', png, 'image/png');
    standIn.addMedia('media-doc-1', pdf, 'application/pdf');
    standIn.addMedia('media-voice-1', ogg, 'audio/ogg; codecs=opus');
    standIn.addMedia('media-sticker-1', png, 'image/webp');
    standIn.addMedia('media-video-1', mp4, 'video/mp4');
    await send(
      [
        { from, id: nextId(), type: 'image', image: { id: 'media-image-1', mime_type: 'image/png', caption: 'Das Foto 📷' } },
        { from, id: nextId(), type: 'document', document: { id: 'media-doc-1', mime_type: 'application/pdf', filename: 'Rechnung März.pdf' } },
        { from, id: nextId(), type: 'audio', audio: { id: 'media-voice-1', mime_type: 'audio/ogg; codecs=opus', voice: true } },
        { from, id: nextId(), type: 'sticker', sticker: { id: 'media-sticker-1', mime_type: 'image/webp', animated: false } },
        { from, id: nextId(), type: 'video', video: { id: 'media-video-1', mime_type: 'video/mp4', caption: 'Unboxing 🎬' } },
      ],
      { [from]: 'Media Mia' },
    );
    const id = await conversationOf('Media Mia');
    const messages = await waitFor('five messages', async () => ((await history(id)).length === 5 ? history(id) : undefined));
    const byName = (pattern: RegExp) => messages.find((m) => pattern.test(m.attachment?.fileName ?? ''));
    expect(byName(/^image-/)).toMatchObject({ kind: 'file', text: 'Das Foto 📷', attachment: { mimeType: 'image/png', size: png.length } });
    expect(byName(/Rechnung/)).toMatchObject({ attachment: { fileName: 'Rechnung März.pdf', mimeType: 'application/pdf', size: pdf.length } });
    expect(byName(/^voice-/)).toMatchObject({ attachment: { mimeType: 'audio/ogg' } });
    expect(byName(/^video-/)).toMatchObject({ text: 'Unboxing 🎬', attachment: { mimeType: 'video/mp4', size: mp4.length } });
    for (const [pattern, bytes] of [[/^image-/, png], [/Rechnung/, pdf], [/^voice-/, ogg], [/^video-/, mp4]] as const) {
      const file = await ann.download(byName(pattern).attachment.url);
      expect(file.status).toBe(200);
      expect(file.bytes.equals(bytes)).toBe(true);
    }
    expect(standIn.requestsTo('/v1/media-image-1').at(-1)?.authorization).toBe(`Bearer ${accessToken}`);
  });

  it('one webhook\'s messages keep their order, files among texts, though files take longer to fetch', async () => {
    const from = clientNumber();
    standIn.addMedia('media-order-1', png, 'image/png');
    standIn.addMedia('media-order-2', pdf, 'application/pdf');
    await send(
      [
        { from, id: nextId(), type: 'text', text: { body: 'A: here is the photo' } },
        { from, id: nextId(), type: 'image', image: { id: 'media-order-1', mime_type: 'image/png', caption: 'B: the photo' } },
        { from, id: nextId(), type: 'text', text: { body: 'C: and the invoice' } },
        { from, id: nextId(), type: 'document', document: { id: 'media-order-2', mime_type: 'application/pdf', filename: 'D.pdf' } },
        { from, id: nextId(), type: 'text', text: { body: 'E: that was it' } },
      ],
      { [from]: 'Orderly Olga' },
    );
    const id = await conversationOf('Orderly Olga');
    const messages = await waitFor('five messages', async () => ((await history(id)).length === 5 ? history(id) : undefined));
    expect(messages.map((m) => m.text ?? m.attachment?.fileName)).toEqual(['A: here is the photo', 'B: the photo', 'C: and the invoice', 'D.pdf', 'E: that was it']);
  });

  it('D15: location, contacts, a button reply and an unknown type are stored as readable text, never dropped', async () => {
    const from = clientNumber();
    await send(
      [
        { from, id: nextId(), type: 'location', location: { latitude: 52.52, longitude: 13.405, name: 'Fernsehturm', address: 'Panoramastraße 1A, Berlin' } },
        { from, id: nextId(), type: 'contacts', contacts: [{ name: { formatted_name: 'Jürgen Beispiel', first_name: 'Jürgen' }, phones: [{ phone: '+49 30 1234567', type: 'CELL' }] }] },
        { from, id: nextId(), type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'yes', title: 'Yes, please' } } },
        { from, id: nextId(), type: 'unsupported', errors: [{ code: 131051, title: 'Message type unknown' }] },
      ],
      { [from]: 'Text Tom' },
    );
    const id = await conversationOf('Text Tom');
    const texts = await waitFor('four messages', async () => {
      const items = await history(id);
      return items.length === 4 ? items.map((m) => m.text as string) : undefined;
    });
    expect(texts).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^📍 Location: Fernsehturm, Panoramastraße 1A, Berlin \(52\.52, 13\.405\)/),
        '👤 Contact: Jürgen Beispiel, +49 30 1234567',
        'Yes, please',
        'Unsupported message (type: unsupported)',
      ]),
    );
  });

  it('a forged or missing signature → 401 and nothing stored', async () => {
    const before = await messageCount();
    const body = whatsappWebhookBody(phoneNumberId, { messages: [{ from: clientNumber(), id: nextId(), type: 'text', text: { body: 'forged' } }] });
    expect((await postWhatsappWebhook(stack.ingestion.url, channelId, 'not-the-app-secret', body)).status).toBe(401);
    expect((await postWhatsappWebhook(stack.ingestion.url, channelId, appSecret, body, null)).status).toBe(401);
    expect((await postWhatsappWebhook(stack.ingestion.url, channelId, appSecret, body, 'sha256=abc')).status).toBe(401);
    // Re-serialising the parsed body gives other bytes than Meta's escaped ones: the signature must not match them.
    const signedRaw = JSON.stringify({ ...(body as object), extra: 'ü' });
    expect((await sendRaw(signedRaw, { 'x-hub-signature-256': 'sha256=' + '0'.repeat(64) })).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await messageCount()).toBe(before);
  });

  it('the same webhook delivered 5 times at once → one message', async () => {
    const from = clientNumber();
    const messages = [{ from, id: nextId(), type: 'text', text: { body: 'only once' } }];
    const answers = await Promise.all(Array.from({ length: 5 }, () => send(messages, { [from]: 'Once Olga' })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const id = await conversationOf('Once Olga');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await history(id)).map((m) => m.text)).toEqual(['only once']);
  });

  it('bad input: truncated JSON, wrong object, no entry → 400; a huge body → 413; an unknown channel → 404; nothing stored', async () => {
    const before = await messageCount();
    expect((await sendRaw('{"object":"whatsapp_business_account","entry":[')).status).toBe(400);
    const wrongObject = await postWhatsappWebhook(stack.ingestion.url, channelId, appSecret, { object: 'page', entry: [] });
    expect(wrongObject.status).toBe(400);
    expect(JSON.stringify(wrongObject.body)).toMatch(/whatsapp_business_account/);
    expect((await postWhatsappWebhook(stack.ingestion.url, channelId, appSecret, { object: 'whatsapp_business_account' })).status).toBe(400);
    expect((await sendRaw(JSON.stringify({ object: 'whatsapp_business_account', pad: 'x'.repeat(400_000) }))).status).toBe(413);
    const unknown = await postWhatsappWebhook(stack.ingestion.url, '0194d1f2-0000-7000-8000-000000000000', appSecret, whatsappWebhookBody(phoneNumberId, {}));
    expect(unknown.status).toBe(404);
    expect((await postWhatsappWebhook(stack.ingestion.url, 'not-a-uuid', appSecret, {})).status).toBe(400);
    expect(await messageCount()).toBe(before);
  });

  it('D15: a bad message in a batch is skipped with its reason; its good neighbours are stored', async () => {
    const from = clientNumber();
    const answer = await send(
      [
        { from, id: nextId(), type: 'text', text: { body: 'first good' } },
        { from: 'not-a-number', id: nextId(), type: 'text', text: { body: 'bad sender' } },
        { from, id: nextId(), timestamp: '99999999999999999', type: 'text', text: { body: 'a time no date can hold' } },
        { from, id: nextId(), type: 'text', text: { body: 'second good' } },
      ],
      { [from]: 'Batch Bea' },
    );
    expect(answer).toMatchObject({ status: 200, body: { accepted: 2, skipped: [expect.stringMatching(/does not parse: from/), expect.stringMatching(/does not parse: timestamp must be seconds since 1970/)] } });
    const id = await conversationOf('Batch Bea');
    await waitFor('both', async () => ((await history(id)).length === 2 ? true : undefined));
  });

  it('a media id the API does not know is stored as a message saying so; a media URL on another host is never fetched', async () => {
    const from = clientNumber();
    standIn.addMedia('media-elsewhere', png, 'image/png', `${elsewhere.url}/internal/secret.png`);
    await send(
      [
        { from, id: nextId(), type: 'image', image: { id: 'media-nobody-knows', mime_type: 'image/jpeg' } },
        { from, id: nextId(), type: 'image', image: { id: 'media-elsewhere', mime_type: 'image/png', caption: 'look' } },
      ],
      { [from]: 'Lost Lena' },
    );
    const id = await conversationOf('Lost Lena');
    const texts = await waitFor('both', async () => {
      const items = await history(id);
      return items.length === 2 ? items : undefined;
    });
    expect(texts.every((m) => !m.attachment)).toBe(true);
    expect(texts.map((m) => m.text)).toEqual(
      expect.arrayContaining([expect.stringMatching(/could not be fetched from WhatsApp: media media-nobody-knows: .*does not exist/), expect.stringMatching(/not this channel's API host\nlook$/)]),
    );
    expect(elsewhere.hits).toBe(0);
  });

  it("D15: an operator's text goes out through /messages; statuses sent, delivered, read follow through the gateway", async () => {
    const conversation = await conversationWith('Reply Rita');
    const messageId = await reply(conversation, 'Ihr Paket ist unterwegs 🚚');
    await deliveryOf(conversation, messageId, 'sent');
    const sent = standIn.sentMessages().at(-1)!;
    expect(sent).toMatchObject({ type: 'text', text: { body: 'Ihr Paket ist unterwegs 🚚' } });
    const statuses = (status: string) => [{ id: sent.wamid, status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: sent.to }];
    expect((await postWhatsappWebhook(stack.ingestion.url, channelId, appSecret, whatsappWebhookBody(phoneNumberId, { statuses: statuses('delivered') }))).status).toBe(200);
    await deliveryOf(conversation, messageId, 'delivered');
    await postWhatsappWebhook(stack.ingestion.url, channelId, appSecret, whatsappWebhookBody(phoneNumberId, { statuses: statuses('read') }));
    await deliveryOf(conversation, messageId, 'read');
  });

  it('D15: a status that arrives before the API has answered the send is applied once the send is known, and nothing is dead-lettered', async () => {
    const conversation = await conversationWith('Early Emma');
    const wamid = `wamid.STANDIN${standIn.sentMessages().length + 1}`;
    const early = [{ id: wamid, status: 'delivered', timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: '491510000000' }];
    expect((await postWhatsappWebhook(stack.ingestion.url, channelId, appSecret, whatsappWebhookBody(phoneNumberId, { statuses: early }))).status).toBe(200);
    const messageId = await reply(conversation, 'shipped today');
    await deliveryOf(conversation, messageId, 'delivered');
    expect(standIn.sentMessages().at(-1)).toMatchObject({ wamid, text: { body: 'shipped today' } });
    const bus = await Bus.connect({ url: env.amqpUrl, logger: createLogger('whatsapp-test', 'silent') });
    try {
      expect(await peekDeadLetters(bus, 'conversation.delivery')).toEqual([]);
    } finally {
      await bus.close();
    }
  });

  it('D15: a `failed` status from the webhook shows WhatsApp\'s error code and reason; a status for a message not ours changes nothing', async () => {
    const conversation = await conversationWith('Late Lars');
    const messageId = await reply(conversation, 'sorry for the wait');
    await deliveryOf(conversation, messageId, 'sent');
    const sent = standIn.sentMessages().at(-1)!;
    const failed = {
      id: sent.wamid,
      status: 'failed',
      timestamp: String(Math.floor(Date.now() / 1000)),
      recipient_id: sent.to,
      errors: [{ code: 131047, title: 'Re-engagement message', message: 'Re-engagement message', error_data: { details: 'More than 24 hours have passed since the customer last replied to this number.' } }],
    };
    const strange = { id: 'wamid.NOT-OURS', status: 'delivered', timestamp: failed.timestamp, recipient_id: sent.to };
    const timeless = { ...strange, timestamp: '99999999999999999' };
    expect((await postWhatsappWebhook(stack.ingestion.url, channelId, appSecret, whatsappWebhookBody(phoneNumberId, { statuses: [failed, strange, timeless] }))).body).toMatchObject({
      statuses: 2,
      skipped: [expect.stringMatching(/status that does not parse: must be seconds since 1970/)],
    });
    const shown = await deliveryOf(conversation, messageId, 'failed');
    expect(shown.deliveryError).toEqual({ code: '131047', title: 'More than 24 hours have passed since the customer last replied to this number.' });
  });

  it('D15: an outbound file over WhatsApp\'s limit for its type is refused before any upload, and reported failed', async () => {
    const bus = await Bus.connect({ url: env.amqpUrl, logger: createLogger('test', 'warn') });
    try {
      const messageId = randomUUID();
      const uploads = standIn.requestsTo('/media').length;
      await bus.publish([
        makeEnvelope(
          'outbound.whatsapp',
          { messageId, channel: 'whatsapp', channelId, externalClientId: '4915100000099', attachment: { storageKey: 'attachments/none', fileName: 'huge.png', mimeType: 'image/png', size: 6_000_000 } },
          { source: 'test', partitionKey: `${channelId}:4915100000099` },
        ),
      ]);
      const db = new Client({ connectionString: env.databaseUrl });
      await db.connect();
      try {
        const row = await waitFor('settled', async () => (await db.query('SELECT status, last_error FROM ingestion.outbound_delivery WHERE message_id = $1 AND status <> $2', [messageId, 'sending'])).rows[0]);
        expect(row).toEqual({ status: 'failed', last_error: 'whatsapp takes image files up to 5 MB' });
      } finally {
        await db.end();
      }
      expect(standIn.requestsTo('/media').length).toBe(uploads);
    } finally {
      await bus.close();
    }
  });

  it('D15: a file goes up to /media first, then out as a document with its name and the text as caption', async () => {
    const conversation = await conversationWith('File Finn');
    const form = new FormData();
    form.set('text', 'Ihre Rechnung 🧾');
    form.set('file', new Blob([pdf]), 'Rechnung 42.pdf');
    const sent = await ann.postForm(`/api/v1/conversations/${conversation}/messages`, form);
    expect(sent.status).toBe(201);
    await deliveryOf(conversation, sent.body.id, 'sent');
    const out = standIn.sentMessages().at(-1) as unknown as { type: string; document: { id: string; caption: string; filename: string } };
    expect(out).toMatchObject({ type: 'document', document: { caption: 'Ihre Rechnung 🧾', filename: 'Rechnung 42.pdf' } });
    expect(standIn.uploaded(out.document.id)?.bytes.equals(pdf)).toBe(true);
  });

  it('the API answering 500 then 200 → the message is delivered once', async () => {
    const conversation = await conversationWith('Retry Rob');
    standIn.script('/messages', { status: 500 });
    const messageId = await reply(conversation, 'after a hiccup');
    await deliveryOf(conversation, messageId, 'sent');
    expect(standIn.sentMessages().filter((m) => (m as { text?: { body: string } }).text?.body === 'after a hiccup')).toHaveLength(1);
  });

  it('the API answering 429 with Retry-After → the next try waits that long', async () => {
    const conversation = await conversationWith('Slow Sam');
    standIn.script('/messages', { status: 429, headers: { 'retry-after': '2' }, body: { error: { message: 'Rate limit hit', code: 130429 } } });
    const messageId = await reply(conversation, 'patiently');
    await deliveryOf(conversation, messageId, 'sent');
    const tries = standIn.requests.filter((r) => r.path.endsWith('/messages') && (r.body as { text?: { body: string } }).text?.body === 'patiently');
    expect(tries.map((t) => t.answered)).toEqual([429, 200]);
    const times = tries.map((t) => t.at);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(1900);
  });

  it("D15: a permanent 400 → `failed` with WhatsApp's reason, visible through the gateway; the message is not sent again", async () => {
    const conversation = await conversationWith('Gone Gina');
    standIn.script('/messages', { status: 400, body: { error: { message: '(#131026) Message undeliverable', code: 131026, error_data: { details: 'Receiver is incapable of receiving this message' } } } });
    const messageId = await reply(conversation, 'are you there?');
    const failed = await deliveryOf(conversation, messageId, 'failed');
    expect(failed.deliveryError).toEqual({ code: '131026', title: 'Receiver is incapable of receiving this message' });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(standIn.requests.filter((r) => (r.body as { text?: { body: string } } | null)?.text?.body === 'are you there?')).toHaveLength(1);
  });

  it('a disabled channel takes nothing (403, nothing stored) and sends nothing (`failed`); enabled again, it works', async () => {
    const conversation = await conversationWith('Paused Paula');
    const before = await messageCount();
    expect((await admin.patch(`/api/v1/channels/${channelId}`, { enabled: 'no' })).status).toBe(400);
    expect((await admin.patch(`/api/v1/channels/${channelId}`, { enabled: false })).body).toMatchObject({ enabled: false });
    try {
      const refused = await send([{ from: clientNumber(), id: nextId(), type: 'text', text: { body: 'anyone?' } }]);
      expect(refused.status).toBe(403);
      expect(JSON.stringify(refused.body)).toMatch(/disabled/);
      const messageId = await reply(conversation, 'not through a disabled channel');
      const failed = await deliveryOf(conversation, messageId, 'failed');
      expect(failed.deliveryError).toEqual({ code: 'channel_disabled', title: 'Channel WhatsApp is disabled' });
      expect(await messageCount()).toBe(before + 1);
    } finally {
      await admin.patch(`/api/v1/channels/${channelId}`, { enabled: true });
    }
    const messageId = await reply(conversation, 'back again');
    await deliveryOf(conversation, messageId, 'sent');
  });

  it('D15: a platform down past every retry → `failed`, saying it gave up, never a silent drop', async () => {
    const conversation = await conversationWith('Down Dora');
    standIn.script('/messages', ...Array.from({ length: 9 }, () => ({ status: 503 })));
    const messageId = await reply(conversation, 'into the void');
    const failed = await deliveryOf(conversation, messageId, 'failed');
    expect(failed.deliveryError.title).toMatch(/gave up after 3 attempts/);
    // Three attempts of three tries each (0.5 s and 2 s apart within one), the retry delay (300 ms
    // here) between attempts: a platform out for seconds does not burn every attempt at once.
    const calls = standIn.requestsTo('/messages').filter((r) => JSON.stringify(r.body).includes('into the void'));
    expect(calls).toHaveLength(9);
    const gaps = calls.slice(1).map((call, i) => call.at - calls[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(290);
    standIn.clearScript();
  });
});
