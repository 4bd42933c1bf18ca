import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the stand-in received, as it parsed it; `status` is what it answered. */
export type TelegramStandInRequest = {
  at: number;
  httpMethod: string;
  /** The Bot API method (`sendMessage`, `getFile`, …), or `file` for a download from `/file/bot<token>/…`. */
  method: string;
  token: string;
  /** Query, JSON, form or multipart fields (multipart files apart). */
  params: Record<string, unknown>;
  files: { field: string; fileName: string; mimeType: string; bytes: Buffer }[];
  /** For a download: the file path asked for. */
  filePath?: string;
  status?: number;
};

/** An answer the stand-in gives instead of the real one, e.g. `{status: 429, retryAfter: 2}`. */
export type ScriptedFailure = { status: number; description?: string; retryAfter?: number };

/** A Telegram user writing to the bot in a private chat. */
export type TelegramClient = { id: number; firstName: string; lastName?: string; username?: string };

export type TelegramStandInOptions = {
  /** The bot token the API accepts (the channel's botToken). */
  botToken: string;
  /** 0 (any free port) unless given. */
  port?: number;
  host?: string;
  /** Told of every request once answered (for a demo's console). */
  onRequest?: (request: TelegramStandInRequest) => void;
};

type StoredFile = { fileId: string; fileUniqueId: string; filePath: string; bytes: Buffer | undefined };

const BODY_MAX_BYTES = 60 * 1024 * 1024;
const TEXT_MAX = 4096;
const CAPTION_MAX = 1024;
const uploadFields: Record<string, string> = { sendPhoto: 'photo', sendDocument: 'document', sendAudio: 'audio', sendVideo: 'video', sendVoice: 'voice' };

/**
 * A stand-in for the Telegram Bot API, for tests and the demo. It speaks the documented shapes of
 * `getMe`, `getFile` and the file downloads (`/file/bot<token>/<file_path>`), `setWebhook`,
 * `getWebhookInfo`, `sendMessage` and `sendPhoto`/`sendDocument`/`sendAudio`/`sendVideo`/`sendVoice`
 * (JSON, form or multipart), behind the bot token. Every request is recorded; `failNext` scripts
 * failures; `deliver` posts an Update to the registered webhook as Telegram does.
 *
 * Demo routes, outside the Bot API: `POST /_standin/updates` `{chatId, firstName, text}` delivers a
 * client's text to the webhook; `GET /_standin/sent` lists what the bot sent.
 */
export class TelegramStandIn {
  readonly requests: TelegramStandInRequest[] = [];
  /** What `setWebhook` registered. */
  webhook: { url: string; secretToken?: string; allowedUpdates?: unknown } | undefined;
  private readonly files = new Map<string, StoredFile>();
  private readonly failures = new Map<string, ScriptedFailure[]>();
  private messageIds = 0;
  private updateIds = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly botToken: string,
    private readonly onRequest: TelegramStandInOptions['onRequest'],
  ) {}

  static async start(options: TelegramStandInOptions): Promise<TelegramStandIn> {
    const started: { standIn?: TelegramStandIn } = {};
    const server = createServer((req, res) => void started.standIn!.handle(req, res));
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    started.standIn = new TelegramStandIn(server, `http://127.0.0.1:${port}`, options.botToken, options.onRequest);
    return started.standIn;
  }

  /** What a channel's `apiBaseUrl` setting points at. */
  get apiBaseUrl(): string {
    return this.url;
  }

  /**
   * A file clients may send: `getFile` names it, `/file/bot<token>/<filePath>` serves it. Without
   * bytes, `getFile` still answers `filePath` (e.g. one naming another host) but nothing is served.
   */
  addFile(bytes: Buffer | undefined, { filePath }: { filePath?: string } = {}): { file_id: string; file_unique_id: string; file_size?: number } {
    const fileId = `AgAC${randomBytes(12).toString('base64url')}`;
    const fileUniqueId = `AQAD${randomBytes(6).toString('base64url')}`;
    this.files.set(fileId, { fileId, fileUniqueId, filePath: filePath ?? `documents/file_${this.files.size}.bin`, bytes });
    return { file_id: fileId, file_unique_id: fileUniqueId, ...(bytes ? { file_size: bytes.length } : {}) };
  }

  /** The next requests to `method` (or `file` for downloads) get these answers, one each, in order. */
  failNext(method: string, ...failures: ScriptedFailure[]): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), ...failures]);
  }

  /** The recorded requests to a Bot API method (or `file`). */
  requestsTo(method: string): TelegramStandInRequest[] {
    return this.requests.filter((r) => r.method === method);
  }

  /** An Update with a client's message in his private chat with the bot; `fields` are the content (`text`, `photo`, …). */
  clientMessage(client: TelegramClient, fields: Record<string, unknown>, { messageId, edited }: { messageId?: number; edited?: boolean } = {}): Record<string, unknown> {
    const person = { first_name: client.firstName, ...(client.lastName ? { last_name: client.lastName } : {}), ...(client.username ? { username: client.username } : {}) };
    const now = Math.floor(Date.now() / 1000);
    const message = {
      message_id: messageId ?? ++this.messageIds,
      from: { id: client.id, is_bot: false, ...person, language_code: 'en' },
      chat: { id: client.id, type: 'private', ...person },
      date: edited ? now - 60 : now,
      ...(edited ? { edit_date: now } : {}),
      ...fields,
    };
    return { update_id: ++this.updateIds, [edited ? 'edited_message' : 'message']: message };
  }

  /** POSTs an Update to the registered webhook with its secret token, as Telegram does; `secretToken: null` sends none. */
  async deliver(update: Record<string, unknown>, options: { secretToken?: string | null; url?: string } = {}): Promise<{ status: number; body: any }> {
    return this.deliverRaw(JSON.stringify({ update_id: ++this.updateIds, ...update }), options);
  }

  /** POSTs `body` to the webhook exactly as given (for malformed-input tests). */
  async deliverRaw(body: string, { secretToken, url }: { secretToken?: string | null; url?: string } = {}): Promise<{ status: number; body: any }> {
    const target = url ?? this.webhook?.url;
    if (!target) throw new Error('No webhook is set: register the channel\'s webhook (setWebhook) first');
    const secret = secretToken === undefined ? this.webhook?.secretToken : (secretToken ?? undefined);
    const res = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) }, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed };
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      return void res.writeHead(413).end();
    }
    if (url.pathname.startsWith('/_standin/')) return this.demo(url.pathname, req.method ?? 'GET', body, res);

    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    const call = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    const record: TelegramStandInRequest = { at: Date.now(), httpMethod: req.method ?? 'GET', method: download ? 'file' : (call?.[2] ?? url.pathname), token: (download ?? call)?.[1] ?? '', params: {}, files: [] };
    if (download) record.filePath = decodeURIComponent(download[2]!);
    this.requests.push(record);
    const answer = (status: number, content: unknown) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(content));
      this.onRequest?.(record);
    };
    if (!download && !call) return answer(404, apiError(404, 'Not Found'));
    try {
      if (call) await readParams(record, url, req.headers['content-type'], body);
    } catch {
      return answer(400, apiError(400, 'Bad Request: can\'t parse request body'));
    }
    if (record.token !== this.botToken) return answer(401, apiError(401, 'Unauthorized'));
    const failure = this.failures.get(record.method)?.shift();
    if (failure) return answer(failure.status, apiError(failure.status, failure.description ?? defaultDescription(failure.status), failure.retryAfter));
    if (download) return this.serveFile(record, res);
    const [status, content] = this.method(record);
    answer(status, content);
  }

  private serveFile(record: TelegramStandInRequest, res: ServerResponse): void {
    const file = [...this.files.values()].find((f) => f.filePath === record.filePath && f.bytes);
    record.status = file ? 200 : 404;
    if (!file) res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify(apiError(404, 'Not Found')));
    else res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.bytes!.length }).end(file.bytes);
    this.onRequest?.(record);
  }

  private method(r: TelegramStandInRequest): [number, unknown] {
    const p = r.params;
    switch (r.method) {
      case 'getMe':
        return ok(this.bot);
      case 'getFile': {
        const file = this.files.get(param(p, 'file_id') ?? '');
        if (!file) return [400, apiError(400, 'Bad Request: invalid file_id')];
        return ok({ file_id: file.fileId, file_unique_id: file.fileUniqueId, ...(file.bytes ? { file_size: file.bytes.length } : {}), file_path: file.filePath });
      }
      case 'setWebhook': {
        const url = param(p, 'url') ?? '';
        const secretToken = param(p, 'secret_token');
        if (secretToken !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken)) return [400, apiError(400, 'Bad Request: secret token contains unallowed characters')];
        if (!url) {
          this.webhook = undefined;
          return [200, { ok: true, result: true, description: 'Webhook was deleted' }];
        }
        if (!URL.canParse(url)) return [400, apiError(400, 'Bad Request: bad webhook: Failed to resolve host: Name or service not known')];
        this.webhook = { url, ...(secretToken ? { secretToken } : {}), allowedUpdates: p['allowed_updates'] };
        return [200, { ok: true, result: true, description: 'Webhook was set' }];
      }
      case 'getWebhookInfo':
        return ok({ url: this.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: 0, ...(this.webhook?.allowedUpdates ? { allowed_updates: this.webhook.allowedUpdates } : {}) });
      case 'sendMessage': {
        const text = param(p, 'text') ?? '';
        if (!p['chat_id']) return [400, apiError(400, 'Bad Request: chat_id is empty')];
        if (!text) return [400, apiError(400, 'Bad Request: message text is empty')];
        if (text.length > TEXT_MAX) return [400, apiError(400, 'Bad Request: message is too long')];
        return ok(this.sentMessage(p['chat_id'], { text }));
      }
      default: {
        const field = uploadFields[r.method];
        if (!field) return [404, apiError(404, 'Not Found')];
        if (!p['chat_id']) return [400, apiError(400, 'Bad Request: chat_id is empty')];
        const caption = param(p, 'caption');
        if (caption && caption.length > CAPTION_MAX) return [400, apiError(400, 'Bad Request: message caption is too long')];
        const file = r.files.find((f) => f.field === field);
        if (!file && typeof p[field] !== 'string') return [400, apiError(400, `Bad Request: there is no ${field} in the request`)];
        const sent = { file_id: `BQAC${randomBytes(12).toString('base64url')}`, file_unique_id: `AgAD${randomBytes(6).toString('base64url')}`, file_size: file?.bytes.length ?? 0 };
        const media = field === 'photo' ? [{ ...sent, width: 1, height: 1 }] : { ...sent, ...(file ? { file_name: file.fileName, mime_type: file.mimeType } : {}) };
        return ok(this.sentMessage(p['chat_id'], { [field]: media, ...(caption ? { caption } : {}) }));
      }
    }
  }

  private get bot() {
    return { id: 7000000001, is_bot: true, first_name: 'Stand-in bot', username: 'relaydesk_standin_bot' };
  }

  private sentMessage(chatId: unknown, content: Record<string, unknown>): Record<string, unknown> {
    const id = Number(chatId);
    return { message_id: ++this.messageIds, from: this.bot, chat: { id: Number.isFinite(id) ? id : String(chatId), type: 'private' }, date: Math.floor(Date.now() / 1000), ...content };
  }

  /** The demo's handles: play a client, and read what the bot sent. */
  private async demo(path: string, method: string, body: Buffer, res: ServerResponse): Promise<void> {
    const json = (status: number, content: unknown) => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(content));
    if (path === '/_standin/sent' && method === 'GET') {
      const sent = this.requests.filter((r) => r.method.startsWith('send') && r.status === 200);
      return json(200, sent.map((r) => ({ at: new Date(r.at).toISOString(), method: r.method, params: r.params, files: r.files.map((f) => ({ field: f.field, fileName: f.fileName, mimeType: f.mimeType, size: f.bytes.length })) })));
    }
    if (path === '/_standin/updates' && method === 'POST') {
      let input: { chatId?: unknown; firstName?: unknown; text?: unknown };
      try {
        input = JSON.parse(body.toString('utf8')) as typeof input;
      } catch {
        return json(400, { error: 'Body is not valid JSON' });
      }
      if (typeof input.chatId !== 'number' || typeof input.firstName !== 'string' || typeof input.text !== 'string' || !input.text) {
        return json(400, { error: 'Send {chatId: number, firstName: string, text: string}' });
      }
      if (!this.webhook) return json(409, { error: 'No webhook is set: register the channel\'s webhook first' });
      const delivered = await this.deliver(this.clientMessage({ id: input.chatId, firstName: input.firstName }, { text: input.text })).catch((error: unknown) => ({ status: 502, body: String(error) }));
      return json(delivered.status === 200 ? 200 : 502, { webhookAnswered: delivered });
    }
    json(404, { error: 'Unknown stand-in route' });
  }
}

const apiError = (code: number, description: string, retryAfter?: number) => ({ ok: false, error_code: code, description, ...(retryAfter !== undefined ? { parameters: { retry_after: retryAfter } } : {}) });
/** A field as text: JSON bodies carry numbers (chat_id) where forms carry strings. */
const param = (params: Record<string, unknown>, name: string): string | undefined => {
  const value = params[name];
  return value === undefined || value === null ? undefined : typeof value === 'string' ? value : JSON.stringify(value);
};
const ok = (result: unknown): [number, unknown] => [200, { ok: true, result }];

function defaultDescription(status: number): string {
  if (status === 429) return 'Too Many Requests: retry later';
  if (status === 403) return 'Forbidden: bot was blocked by the user';
  if (status === 400) return 'Bad Request: chat not found';
  return status >= 500 ? 'Internal Server Error' : `Error ${status}`;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_MAX_BYTES) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Fields from the query and from a JSON, urlencoded or multipart body, as the Bot API takes them. */
async function readParams(record: TelegramStandInRequest, url: URL, contentType: string | undefined, body: Buffer): Promise<void> {
  Object.assign(record.params, Object.fromEntries(url.searchParams));
  if (body.length === 0) return;
  const type = contentType ?? '';
  if (type.startsWith('application/json')) {
    Object.assign(record.params, JSON.parse(body.toString('utf8')) as Record<string, unknown>);
  } else if (type.startsWith('application/x-www-form-urlencoded')) {
    Object.assign(record.params, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
  } else if (type.startsWith('multipart/form-data')) {
    const form = await new Response(body, { headers: { 'content-type': type } }).formData();
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') record.params[field] = value;
      else record.files.push({ field, fileName: value.name, mimeType: value.type, bytes: Buffer.from(await value.arrayBuffer()) });
    }
  } else {
    throw new Error(`unsupported content type ${type}`);
  }
}

/** `npx tsx libs/testing/src/telegram-stand-in.ts`: a stand-in on TELEGRAM_STANDIN_PORT (8090) for TELEGRAM_BOT_TOKEN. */
if (require.main === module) {
  const botToken = process.env['TELEGRAM_BOT_TOKEN'] ?? '123456789:demo-bot-token';
  const port = Number(process.env['TELEGRAM_STANDIN_PORT'] ?? 8090);
  void TelegramStandIn.start({ botToken, port, onRequest: (r) => console.log(`${r.status ?? ''} ${r.method} ${JSON.stringify(r.params)}`) }).then((standIn) => {
    console.log(`Telegram Bot API stand-in on ${standIn.url} for bot token ${botToken}`);
  });
}
