import { createHmac, timingSafeEqual } from 'node:crypto';
import { callerIdentity, type CallerIdentity } from '@relaydesk/contracts';
import { AppError } from './errors';

const TTL_SECONDS = 60;

function mac(data: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(data).digest();
}

/** `base64url(json).base64url(hmac)`: the gateway's word on who calls, valid for a minute. */
export function signIdentity(identity: CallerIdentity, secret: string, now = Date.now()): string {
  const data = Buffer.from(JSON.stringify({ ...identity, exp: Math.floor(now / 1000) + TTL_SECONDS })).toString('base64url');
  return `${data}.${mac(data, secret).toString('base64url')}`;
}

export function verifyIdentity(header: string | undefined, secret: string, now = Date.now()): CallerIdentity {
  const [data, signature, extra] = (header ?? '').split('.');
  if (!data || !signature || extra !== undefined) throw new AppError('unauthorized', 'Missing or malformed internal identity');
  const expected = mac(data, secret);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AppError('unauthorized', 'Internal identity signature does not match');
  }
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(data, 'base64url').toString('utf8'));
  } catch {
    throw new AppError('unauthorized', 'Internal identity is not JSON');
  }
  const { exp, ...rest } = claims as { exp?: unknown };
  if (typeof exp !== 'number' || exp * 1000 < now) throw new AppError('unauthorized', 'Internal identity has expired');
  const parsed = callerIdentity.safeParse(rest);
  if (!parsed.success) throw new AppError('unauthorized', 'Internal identity has a bad shape');
  return parsed.data;
}
