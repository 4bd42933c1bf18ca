/** An answer of the gateway that was not 2xx, with the API.md error body's code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The error body's further fields (a lost take's `takenBy`). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

type Body = Record<string, unknown> | unknown[] | undefined;

/** The gateway's `/api/v1`, as the signed-in operator. `onUnauthorized` ends the session on a 401, with the server's reason. */
export class Api {
  constructor(
    private readonly token: string,
    private readonly onUnauthorized: (reason: string | undefined) => void = () => undefined,
    private readonly base = '/api/v1',
  ) {}

  get<T>(path: string): Promise<T> {
    return this.send<T>('GET', path);
  }

  post<T>(path: string, body?: Body, headers: Record<string, string> = {}): Promise<T> {
    return this.send<T>('POST', path, body, headers);
  }

  patch<T>(path: string, body: Body): Promise<T> {
    return this.send<T>('PATCH', path, body);
  }

  put<T>(path: string, body: Body): Promise<T> {
    return this.send<T>('PUT', path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.send<T>('DELETE', path);
  }

  /** The body as text (a CSV), for `accept`. */
  async text(path: string, accept: string): Promise<string> {
    return (await this.raw(path, accept)).text();
  }

  /** A file (an attachment) fetched with the token, which an <img> or a link cannot send. */
  async blob(path: string): Promise<Blob> {
    return (await this.raw(path, '*/*')).blob();
  }

  private async raw(path: string, accept: string): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(this.base + path, { headers: { authorization: `Bearer ${this.token}`, accept } });
    } catch {
      throw new ApiError(0, 'network', 'The connection was lost; try again');
    }
    if (!res.ok) throw await this.errorOf(res);
    return res;
  }

  /** A multipart POST that reports upload progress (0–1), which fetch cannot. */
  upload<T>(path: string, form: FormData, headers: Record<string, string>, onProgress: (done: number) => void): Promise<T> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', this.base + path);
      xhr.setRequestHeader('authorization', `Bearer ${this.token}`);
      for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
      xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
      xhr.onerror = () => reject(new ApiError(0, 'network', 'The connection was lost; try again'));
      xhr.onload = () => {
        const body = xhr.responseText ? (JSON.parse(xhr.responseText) as unknown) : undefined;
        if (xhr.status >= 200 && xhr.status < 300) resolve(body as T);
        else reject(this.errorFrom(xhr.status, body));
      };
      xhr.send(form);
    });
  }

  private async send<T>(method: string, path: string, body?: Body, headers: Record<string, string> = {}): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'network', 'The connection was lost; try again');
    }
    if (!res.ok) throw await this.errorOf(res);
    return (res.status === 204 ? undefined : await res.json()) as T;
  }

  private async errorOf(res: Response): Promise<ApiError> {
    return this.errorFrom(res.status, await res.json().catch(() => undefined));
  }

  private errorFrom(status: number, body: unknown): ApiError {
    const error = (body as { error?: { code?: string; message?: string } & Record<string, unknown> } | undefined)?.error;
    if (status === 401) this.onUnauthorized(error?.message);
    const { code, message, ...extra } = error ?? {};
    return new ApiError(status, code ?? 'error', message ?? `The server answered ${status}`, extra);
  }
}

export type LoginAnswer = { accessToken: string; operator: Operator };

export async function logIn(email: string, password: string): Promise<LoginAnswer> {
  const res = await fetch('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  const body = (await res.json().catch(() => undefined)) as (LoginAnswer & { error?: { code: string; message: string } }) | undefined;
  if (!res.ok || !body) throw new ApiError(res.status, body?.error?.code ?? 'error', body?.error?.message ?? 'Could not log in');
  return body;
}

export type Permission = 'conversations.manage' | 'conversations.view_all' | 'analytics.view';
/** `active` false: deactivated by a super_admin (no login, no new conversations). */
export type Operator = { id: string; name: string; email: string; role: 'super_admin' | 'operator'; permissions: Permission[]; groupIds: string[]; active?: boolean };
