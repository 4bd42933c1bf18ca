import { Agent, request } from 'node:http';
import { IDENTITY_HEADER, type CallerIdentity } from '@relaydesk/contracts';
import { AppError, internalRequest, signIdentity } from '@relaydesk/service-kit';
import type { Request, Response } from 'express';
import { callerOf, identityOfCaller } from './authenticate';

export type ServiceAnswer = { status: number; body: unknown; headers: Headers };

const TIMEOUT_MS = 15_000;

/**
 * Calls an internal service as the authenticated caller, with the signed identity header. The
 * service's answer, errors included, is already in the API.md shape and passes through as it is.
 */
export class ServiceClient {
  /** Kept-alive connections: node:http costs a fraction of fetch's CPU per call, which every request pays. */
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });

  constructor(
    private readonly name: string,
    private readonly baseUrl: string,
    private readonly secret: string,
  ) {}

  call(res: Response, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ServiceAnswer> {
    return this.callAs(identityOfCaller(callerOf(res)), method, path, body, headers);
  }

  /** A call on behalf of `caller`, for work no request asked for (a sweep). */
  async callAs(caller: CallerIdentity, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ServiceAnswer> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const url = new URL(`${this.baseUrl}${path}`);
    const identity = signIdentity(caller, this.secret, internalRequest(method, url));
    let answer: { status: number; text: string; headers: Headers };
    try {
      answer = await this.send(method, url, { ...headers, 'content-type': 'application/json', [IDENTITY_HEADER]: identity }, payload);
    } catch {
      throw new AppError('unavailable', `The ${this.name} service cannot be reached; try again shortly`);
    }
    const json = !answer.text || /json/.test(answer.headers.get('content-type') ?? 'json');
    return { status: answer.status, body: json ? (answer.text ? (JSON.parse(answer.text) as unknown) : null) : answer.text, headers: answer.headers };
  }

  private send(method: string, url: URL, headers: Record<string, string>, payload: string | undefined): Promise<{ status: number; text: string; headers: Headers }> {
    return new Promise((resolve, reject) => {
      const req = request(url, { method, headers: payload === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(payload) }, agent: this.agent, timeout: TIMEOUT_MS }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('error', reject);
        answer.on('end', () => {
          const out = new Headers();
          for (const [name, value] of Object.entries(answer.headers)) if (typeof value === 'string') out.set(name, value);
          resolve({ status: answer.statusCode ?? 502, text: Buffer.concat(chunks).toString('utf8'), headers: out });
        });
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Forwards the request's path below /api/v1 (with its query) and sends the answer back. */
  async forward(req: Request, res: Response, body?: unknown, headers?: Record<string, string>): Promise<ServiceAnswer> {
    return this.call(res, req.method, req.url, body, headers);
  }
}

/** Sends a service's answer on: JSON as JSON, anything else (a CSV) as the text and type it came with. */
export function reply(res: Response, answer: ServiceAnswer, body: unknown = answer.body): void {
  const type = answer.headers.get('content-type') ?? 'application/json';
  if (typeof body !== 'string' || /json/.test(type)) {
    res.status(answer.status).json(body);
    return;
  }
  const disposition = answer.headers.get('content-disposition');
  if (disposition) res.setHeader('Content-Disposition', disposition);
  res.status(answer.status).type(type).send(body);
}

export const succeeded = (answer: ServiceAnswer): boolean => answer.status >= 200 && answer.status < 300;

/** The caller's Idempotency-Key, passed on to the service that keeps sends once. */
export const idempotencyHeaders = (req: Request): Record<string, string> => {
  const key = req.header('idempotency-key');
  return key === undefined ? {} : { 'idempotency-key': key };
};
