import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

/** A request as the stand-in received it, and the status it answered. */
export type StandInRequest = { method: string; path: string; authorization: string | undefined; body: unknown; at: number; answered?: number; answer?: unknown };

/** An answer the stand-in gives instead of its normal one, for tests of the retry paths. */
export type ScriptedAnswer = { status: number; body?: unknown; headers?: Record<string, string> };

export type WhatsappStandInOptions = {
  /** The bearer token the API accepts (the channel's accessToken). */
  accessToken: string;
  /** Numbers (E.164, e.g. `+4915112345678`) that have WhatsApp. */
  withWhatsApp?: Iterable<string>;
  /** Listen on this port (the demo); a free one when absent. */
  port?: number;
};

type Media = { bytes: Buffer; mimeType: string; url?: string };

const digits = (phone: string): string => phone.replace(/\D/g, '');

/**
 * A stand-in for the WhatsApp Business API, for tests and the demo, under any version prefix and
 * behind the bearer token. It speaks the Cloud API: `POST /{phone-number-id}/messages` (text and
 * media by id), `POST /{phone-number-id}/media` (multipart upload), `GET /{media-id}` (answering a
 * URL) and the download of that URL; and the number check of the On-Premises API (`POST /contacts`).
 * Every request is recorded. `failWith` answers that status until cleared; `script` queues answers
 * for one path, taken one per request. Outside the API, for the demo: `GET /_standin/sent` lists
 * what was sent to clients, and `POST /_standin/messages` `{from, name, text}` plays a client
 * writing to the channel of `webhook`.
 */
export class WhatsappStandIn {
  readonly requests: StandInRequest[] = [];
  readonly withWhatsApp: Set<string>;
  /** Where `POST /_standin/messages` delivers a client's text: a channel's webhook as Meta would call it. */
  webhook: { ingestionUrl: string; channelId: string; appSecret: string; phoneNumberId: string } | undefined;
  failWith: number | undefined;
  private readonly media = new Map<string, Media>();
  private readonly scripted: { suffix: string; answer: ScriptedAnswer }[] = [];
  private sent = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly accessToken: string,
    withWhatsApp: Iterable<string>,
  ) {
    this.withWhatsApp = new Set([...withWhatsApp].map(digits));
  }

  static async start(options: WhatsappStandInOptions): Promise<WhatsappStandIn> {
    const started: { standIn?: WhatsappStandIn } = {};
    const server = createServer((req, res) => void started.standIn!.handle(req, res));
    server.listen(options.port ?? 0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    started.standIn = new WhatsappStandIn(server, `http://127.0.0.1:${port}`, options.accessToken, options.withWhatsApp ?? []);
    return started.standIn;
  }

  /** What a channel's `apiBaseUrl` setting points at. */
  get apiBaseUrl(): string {
    return `${this.url}/v1`;
  }

  /** Marks a number as having WhatsApp (or not). */
  setHasWhatsApp(phone: string, has = true): void {
    if (has) this.withWhatsApp.add(digits(phone));
    else this.withWhatsApp.delete(digits(phone));
  }

  /** A client's file, as WhatsApp keeps it for `GET /{media-id}`; `url` overrides where it says the file is. */
  addMedia(id: string, bytes: Buffer, mimeType: string, url?: string): void {
    this.media.set(id, { bytes, mimeType, ...(url ? { url } : {}) });
  }

  /** A file an operator's message uploaded, by the media id the stand-in answered. */
  uploaded(id: string): Media | undefined {
    return this.media.get(id);
  }

  /** Queues answers for requests whose path ends with `suffix`, one per request, before normal service resumes. */
  script(suffix: string, ...answers: ScriptedAnswer[]): void {
    this.scripted.push(...answers.map((answer) => ({ suffix, answer })));
  }

  /** Drops the scripted answers not yet given. */
  clearScript(): void {
    this.scripted.length = 0;
  }

  /** The recorded requests whose path ends with `suffix`. */
  requestsTo(suffix: string): StandInRequest[] {
    return this.requests.filter((r) => r.path.endsWith(suffix));
  }

  /** The text and media messages sent to the Cloud API, in order. */
  sentMessages(): { to: string; type: string; wamid: string; [k: string]: unknown }[] {
    return this.requests
      .filter((r) => /\/messages$/.test(r.path) && !r.path.startsWith('/_standin/') && r.answered === 200)
      .map((r) => ({ ...(r.body as { to: string; type: string }), wamid: (r.answer as { messages: { id: string }[] }).messages[0]!.id }));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const path = new URL(req.url ?? '/', this.url).pathname;
    const record: StandInRequest = { method: req.method ?? 'GET', path, authorization: req.headers.authorization, body: null, at: Date.now() };
    this.requests.push(record);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      record.answered = status;
      record.answer = body;
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    };
    try {
      record.body = await bodyOf(req.headers['content-type'], raw);
    } catch {
      return reply(400, apiError(100, 'Invalid request body'));
    }
    const scripted = this.scripted.findIndex((s) => path.endsWith(s.suffix));
    if (scripted >= 0) {
      const { answer } = this.scripted.splice(scripted, 1)[0]!;
      return reply(answer.status, answer.body ?? apiError(1, 'Stand-in scripted failure'), answer.headers);
    }
    if (path === '/_standin/sent' && req.method === 'GET') return reply(200, { items: this.sentMessages() });
    if (path === '/_standin/messages' && req.method === 'POST') return this.playClient(record.body, reply);
    if (this.failWith) return reply(this.failWith, apiError(1, 'Stand-in failure'));
    if (req.headers.authorization !== `Bearer ${this.accessToken}`) return reply(401, apiError(190, 'Invalid OAuth access token'));
    if (req.method === 'GET') return this.download(path, res, reply);
    if (req.method !== 'POST') return reply(404, apiError(100, 'Unknown path'));
    if (path.endsWith('/contacts')) return this.contacts(record.body, reply);
    if (/\/[^/]+\/messages$/.test(path)) return this.message(record.body, reply);
    if (/\/[^/]+\/media$/.test(path)) return this.upload(record.body, reply);
    reply(404, apiError(100, 'Unknown path'));
  }

  /** `GET /{version}/{media-id}` answers where the file is; `GET /files/{media-id}` is the file. */
  private download(path: string, res: ServerResponse, reply: (status: number, body: unknown) => void): void {
    const file = /^\/files\/([^/]+)$/.exec(path);
    if (file) {
      const media = this.media.get(decodeURIComponent(file[1]!));
      if (!media) return reply(404, apiError(100, 'Unknown file'));
      res.writeHead(200, { 'content-type': media.mimeType, 'content-length': media.bytes.length }).end(media.bytes);
      return;
    }
    const id = decodeURIComponent(path.split('/').at(-1) ?? '');
    const media = this.media.get(id);
    if (!media) return reply(400, apiError(100, `Unsupported get request. Object with ID '${id}' does not exist`));
    reply(200, {
      messaging_product: 'whatsapp',
      url: media.url ?? `${this.url}/files/${encodeURIComponent(id)}`,
      mime_type: media.mimeType,
      sha256: createHash('sha256').update(media.bytes).digest('hex'),
      file_size: media.bytes.length,
      id,
    });
  }

  private async playClient(body: unknown, reply: (status: number, body: unknown) => void): Promise<void> {
    const { from, name, text } = (body ?? {}) as { from?: unknown; name?: unknown; text?: unknown };
    if (typeof from !== 'string' || !/^\+?\d{8,15}$/.test(from) || typeof name !== 'string' || typeof text !== 'string' || !text.trim()) {
      return reply(400, { error: 'Send {from: "+4915112345678", name: string, text: string}' });
    }
    if (!this.webhook) return reply(409, { error: 'No channel webhook is set for this stand-in' });
    const { ingestionUrl, channelId, appSecret, phoneNumberId } = this.webhook;
    const message = { from: digits(from), id: `wamid.CLIENT${Date.now()}${++this.sent}`, type: 'text', text: { body: text } };
    const answered = await postWhatsappWebhook(ingestionUrl, channelId, appSecret, whatsappWebhookBody(phoneNumberId, { messages: [message], names: { [message.from]: name } })).catch((error: unknown) => ({ status: 502, body: String(error) }));
    reply(answered.status === 200 ? 200 : 502, { webhookAnswered: answered });
  }

  private contacts(body: unknown, reply: (status: number, body: unknown) => void): void {
    const contacts = (body as { contacts?: unknown })?.contacts;
    if (!Array.isArray(contacts) || contacts.some((c) => typeof c !== 'string')) return reply(400, apiError(1008, 'Required parameter is missing: contacts'));
    reply(200, {
      contacts: (contacts as string[]).map((input) => (this.withWhatsApp.has(digits(input)) ? { input, status: 'valid', wa_id: digits(input) } : { input, status: 'invalid' })),
    });
  }

  private message(body: unknown, reply: (status: number, body: unknown) => void): void {
    const m = body as { messaging_product?: unknown; to?: unknown; type?: unknown; [k: string]: unknown };
    if (m?.messaging_product !== 'whatsapp' || typeof m.to !== 'string' || typeof m.type !== 'string') return reply(400, apiError(100, 'Invalid parameter'));
    const media = m[m.type] as { id?: unknown } | undefined;
    if (m.type !== 'text' && (typeof media?.id !== 'string' || !this.media.has(media.id))) return reply(400, apiError(131053, 'Media upload error: unknown media id'));
    const text = m.type === 'text' ? (m['text'] as { body?: unknown } | undefined)?.body : undefined;
    if (m.type === 'text' && (typeof text !== 'string' || text.length === 0)) return reply(400, apiError(100, "Param text['body'] is required"));
    if (typeof text === 'string' && text.length > 4096) return reply(400, apiError(100, "Param text['body'] must be at most 4096 characters long."));
    reply(200, { messaging_product: 'whatsapp', contacts: [{ input: m.to, wa_id: digits(m.to) }], messages: [{ id: `wamid.STANDIN${++this.sent}` }] });
  }

  private upload(body: unknown, reply: (status: number, body: unknown) => void): void {
    const form = body as { messaging_product?: string; type?: string; file?: { bytes: Buffer; type: string } } | null;
    if (form?.messaging_product !== 'whatsapp' || !form.file || !form.type) return reply(400, apiError(100, 'Param file, type and messaging_product are required'));
    const id = `media.UPLOAD${++this.sent}`;
    this.media.set(id, { bytes: form.file.bytes, mimeType: form.type });
    reply(200, { id });
  }
}

/** JSON as JSON; a multipart form as its fields, files as `{name, type, bytes}`. */
async function bodyOf(contentType: string | undefined, raw: Buffer): Promise<unknown> {
  if (raw.length === 0) return null;
  if (!contentType?.startsWith('multipart/form-data')) return JSON.parse(raw.toString('utf8'));
  const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  const fields: Record<string, unknown> = {};
  for (const [name, value] of form) {
    fields[name] = typeof value === 'string' ? value : { name: value.name, type: value.type, bytes: Buffer.from(await value.arrayBuffer()) };
  }
  return fields;
}

const apiError = (code: number, message: string) => ({ error: { message, type: 'OAuthException', code, fbtrace_id: 'stand-in' } });

/** A message of a client, as it appears in `value.messages[]` of a webhook. */
export type WhatsappWebhookMessage = { from: string; id: string; timestamp?: string; type: string; [kind: string]: unknown };

/** A Cloud API webhook body as Meta sends it, for one phone number. */
export function whatsappWebhookBody(phoneNumberId: string, content: { messages?: WhatsappWebhookMessage[]; statuses?: unknown[]; names?: Record<string, string> }): unknown {
  const now = String(Math.floor(Date.now() / 1000));
  const messages = content.messages?.map((m) => ({ timestamp: now, ...m }));
  const contacts = messages?.map((m) => ({ profile: { name: content.names?.[m.from] ?? `Client ${m.from.slice(-4)}` }, wa_id: m.from }));
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId },
              ...(contacts ? { contacts } : {}),
              ...(messages ? { messages } : {}),
              ...(content.statuses ? { statuses: content.statuses } : {}),
            },
          },
        ],
      },
    ],
  };
}

/**
 * The body's bytes as Meta writes them (non-ASCII escaped as `\uXXXX`) and their
 * `X-Hub-Signature-256` under `appSecret`.
 */
export function signWhatsappWebhook(body: unknown, appSecret: string): { bytes: Buffer; signature: string } {
  const text = JSON.stringify(body).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const bytes = Buffer.from(text, 'utf8');
  return { bytes, signature: `sha256=${createHmac('sha256', appSecret).update(bytes).digest('hex')}` };
}

/** POSTs a webhook to ingestion as Meta does: signed, unless a `signature` (or none) is given. */
export async function postWhatsappWebhook(ingestionUrl: string, channelId: string, appSecret: string, body: unknown, signature?: string | null): Promise<{ status: number; body: unknown }> {
  const signed = signWhatsappWebhook(body, appSecret);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const given = signature === undefined ? signed.signature : signature;
  if (given !== null) headers['x-hub-signature-256'] = given;
  const answer = await fetch(`${ingestionUrl}/ingest/v1/whatsapp/${channelId}`, { method: 'POST', headers, body: signed.bytes });
  return { status: answer.status, body: await answer.json().catch(() => null) };
}
