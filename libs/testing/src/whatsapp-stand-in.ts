import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

export type StandInRequest = { method: string; path: string; authorization: string | undefined; body: unknown };

export type WhatsappStandInOptions = {
  /** The bearer token the API accepts (the channel's accessToken). */
  accessToken: string;
  /** Numbers (E.164, e.g. `+4915112345678`) that have WhatsApp. */
  withWhatsApp?: Iterable<string>;
};

const digits = (phone: string): string => phone.replace(/\D/g, '');

/**
 * A stand-in for the WhatsApp Business API, for tests. It speaks the number check of the
 * On-Premises API (`POST …/contacts` with `{blocking, contacts, force_check}`, answering
 * `{contacts: [{input, status: valid|invalid, wa_id?}]}`) and the Cloud API send
 * (`POST …/{phone-number-id}/messages`), behind the bearer token, under any version prefix.
 * Every request is recorded; `failWith` makes it answer that status (e.g. 500) until cleared.
 */
export class WhatsappStandIn {
  readonly requests: StandInRequest[] = [];
  readonly withWhatsApp: Set<string>;
  failWith: number | undefined;
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
    server.listen(0, '127.0.0.1');
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

  /** The recorded requests whose path ends with `suffix`. */
  requestsTo(suffix: string): StandInRequest[] {
    return this.requests.filter((r) => r.path.endsWith(suffix));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      return answer(res, 400, apiError(100, 'Invalid JSON'));
    }
    const path = new URL(req.url ?? '/', this.url).pathname;
    this.requests.push({ method: req.method ?? 'GET', path, authorization: req.headers.authorization, body });
    if (this.failWith) return answer(res, this.failWith, apiError(1, 'Stand-in failure'));
    if (req.headers.authorization !== `Bearer ${this.accessToken}`) return answer(res, 401, apiError(190, 'Invalid OAuth access token'));
    if (req.method !== 'POST') return answer(res, 404, apiError(100, 'Unknown path'));
    if (path.endsWith('/contacts')) return this.contacts(res, body);
    if (/\/[^/]+\/messages$/.test(path)) return this.message(res, body);
    answer(res, 404, apiError(100, 'Unknown path'));
  }

  private contacts(res: ServerResponse, body: unknown): void {
    const contacts = (body as { contacts?: unknown })?.contacts;
    if (!Array.isArray(contacts) || contacts.some((c) => typeof c !== 'string')) return answer(res, 400, apiError(1008, 'Required parameter is missing: contacts'));
    answer(res, 200, {
      contacts: (contacts as string[]).map((input) => (this.withWhatsApp.has(digits(input)) ? { input, status: 'valid', wa_id: digits(input) } : { input, status: 'invalid' })),
    });
  }

  private message(res: ServerResponse, body: unknown): void {
    const m = body as { messaging_product?: unknown; to?: unknown; type?: unknown };
    if (m?.messaging_product !== 'whatsapp' || typeof m.to !== 'string' || typeof m.type !== 'string') return answer(res, 400, apiError(100, 'Invalid parameter'));
    answer(res, 200, { messaging_product: 'whatsapp', contacts: [{ input: m.to, wa_id: digits(m.to) }], messages: [{ id: `wamid.STANDIN${++this.sent}` }] });
  }
}

const apiError = (code: number, message: string) => ({ error: { message, type: 'OAuthException', code, fbtrace_id: 'stand-in' } });

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
