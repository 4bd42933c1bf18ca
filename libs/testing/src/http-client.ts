import { IDENTITY_HEADER, type CallerIdentity } from '@relaydesk/contracts';
import { internalRequest, signIdentity } from '@relaydesk/service-kit';

export type Answer<T = any> = { status: number; body: T; headers: Headers };

/** Headers made for each request from its method and URL (an internal identity is signed per request). */
type PerRequestHeaders = (method: string, url: URL) => Record<string, string>;

/** A small JSON client for the public APIs, as a UI or a connector would call them. */
export class HttpClient {
  constructor(
    readonly baseUrl: string,
    private readonly headers: Record<string, string> = {},
    private readonly perRequest: PerRequestHeaders = () => ({}),
  ) {}

  /** A client of an internal service that calls as `identity`, as the gateway does. */
  static as(baseUrl: string, identity: CallerIdentity, secret: string): HttpClient {
    return new HttpClient(baseUrl, {}, (method, url) => ({ [IDENTITY_HEADER]: signIdentity(identity, secret, internalRequest(method, url)) }));
  }

  with(headers: Record<string, string>): HttpClient {
    return new HttpClient(this.baseUrl, { ...this.headers, ...headers }, this.perRequest);
  }

  private headersFor(method: string, path: string): Record<string, string> {
    return { ...this.headers, ...this.perRequest(method, new URL(`${this.baseUrl}${path}`)) };
  }

  /** The access token this client sends, if any. */
  get token(): string | undefined {
    return /^Bearer (.+)$/.exec(this.headers['authorization'] ?? '')?.[1];
  }

  bearer(token: string): HttpClient {
    return this.with({ authorization: `Bearer ${token}` });
  }

  get<T = any>(path: string): Promise<Answer<T>> {
    return this.send('GET', path);
  }

  post<T = any>(path: string, body: unknown = {}, headers: Record<string, string> = {}): Promise<Answer<T>> {
    return this.send('POST', path, body, headers);
  }

  delete<T = any>(path: string): Promise<Answer<T>> {
    return this.send('DELETE', path);
  }

  put<T = any>(path: string, body: unknown): Promise<Answer<T>> {
    return this.send('PUT', path, body);
  }

  patch<T = any>(path: string, body: unknown): Promise<Answer<T>> {
    return this.send('PATCH', path, body);
  }

  /** POSTs multipart/form-data; fetch writes the boundary into the Content-Type itself. */
  async postForm<T = any>(path: string, form: FormData, headers: Record<string, string> = {}): Promise<Answer<T>> {
    const { 'content-type': _json, ...mine } = this.headersFor('POST', path);
    const res = await fetch(`${this.baseUrl}${path}`, { method: 'POST', headers: { ...mine, ...headers }, body: form });
    const text = await res.text();
    return { status: res.status, body: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T, headers: res.headers };
  }

  /** GETs raw bytes, for downloads. */
  async download(path: string): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
    const res = await fetch(`${this.baseUrl}${path}`, { headers: this.headersFor('GET', path), redirect: 'manual' });
    return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), headers: res.headers };
  }

  /** Sends `raw` as the body exactly as given, for malformed-input tests. */
  async send<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, raw?: string | Uint8Array): Promise<Answer<T>> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...this.headersFor(method, path), ...headers },
      ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }
}
