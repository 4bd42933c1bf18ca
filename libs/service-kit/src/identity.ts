import { createHash } from 'node:crypto';
import { callerIdentity, type CallerIdentity } from '@relaydesk/contracts';
import { AppError } from './errors';
import { signToken, verifyToken } from './signed-token';

const TTL_SECONDS = 60;

/** The one request an identity is signed for, as the service receives it: path with its query. */
export type InternalRequest = { method: string; path: string };

/** `url` as a request to it is sent: `fetch` and `node:http` normalise it so, and the service reads that. */
export const internalRequest = (method: string, url: URL): InternalRequest => ({ method, path: `${url.pathname}${url.search}` });

/** The request's digest, not the request: a query can be longer than a header may be. */
const digestOf = ({ method, path }: InternalRequest): string => createHash('sha256').update(`${method.toUpperCase()} ${path}`).digest('base64url');

/**
 * The gateway's word on who calls, for services: valid for a minute and for this one request, so a
 * header seen on the internal network cannot be replayed against another route.
 */
export const signIdentity = (identity: CallerIdentity, secret: string, request: InternalRequest, now = Date.now()): string =>
  signToken({ ...identity, req: digestOf(request) }, secret, TTL_SECONDS, now);

export function verifyIdentity(header: string | undefined, secret: string, request: InternalRequest, now = Date.now()): CallerIdentity {
  const token = verifyToken(header, secret, now);
  if (!token.ok) throw new AppError('unauthorized', `Internal identity refused: ${token.reason}`);
  const { req, ...claims } = (token.claims ?? {}) as { req?: unknown };
  const parsed = callerIdentity.safeParse(claims);
  if (!parsed.success) throw new AppError('unauthorized', 'Internal identity refused: bad shape');
  if (req !== digestOf(request)) throw new AppError('unauthorized', 'Internal identity refused: signed for another request');
  return parsed.data;
}
