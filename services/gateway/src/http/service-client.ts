import { IDENTITY_HEADER } from '@relaydesk/contracts';
import { AppError, signIdentity } from '@relaydesk/service-kit';
import type { Request, Response } from 'express';
import { callerOf, identityOfCaller } from './authenticate';

export type ServiceAnswer = { status: number; body: unknown; headers: Headers };

/**
 * Calls an internal service as the authenticated caller, with the signed identity header. The
 * service's answer, errors included, is already in the API.md shape and passes through as it is.
 */
export class ServiceClient {
  constructor(
    private readonly name: string,
    private readonly baseUrl: string,
    private readonly secret: string,
  ) {}

  async call(res: Response, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ServiceAnswer> {
    let answer: globalThis.Response;
    try {
      answer = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { ...headers, 'content-type': 'application/json', [IDENTITY_HEADER]: signIdentity(identityOfCaller(callerOf(res)), this.secret) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(15_000),
      });
    } catch {
      throw new AppError('unavailable', `The ${this.name} service cannot be reached; try again shortly`);
    }
    const text = await answer.text();
    return { status: answer.status, body: text ? (JSON.parse(text) as unknown) : null, headers: answer.headers };
  }

  /** Forwards the request's path below /api/v1 (with its query) and sends the answer back. */
  async forward(req: Request, res: Response, body?: unknown, headers?: Record<string, string>): Promise<ServiceAnswer> {
    return this.call(res, req.method, req.url, body, headers);
  }
}

export function reply(res: Response, answer: ServiceAnswer, body: unknown = answer.body): void {
  res.status(answer.status).json(body);
}

export const succeeded = (answer: ServiceAnswer): boolean => answer.status >= 200 && answer.status < 300;
