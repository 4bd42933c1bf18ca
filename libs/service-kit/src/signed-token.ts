import { createHmac, timingSafeEqual } from 'node:crypto';

const mac = (data: string, secret: string): Buffer => createHmac('sha256', secret).update(data).digest();

/** `base64url(json).base64url(hmac-sha256)` with an expiry: a small token only we can mint. */
export function signToken(claims: object, secret: string, ttlSeconds: number, now = Date.now()): string {
  const data = Buffer.from(JSON.stringify({ ...claims, exp: Math.floor(now / 1000) + ttlSeconds })).toString('base64url');
  return `${data}.${mac(data, secret).toString('base64url')}`;
}

/** The token's claims (without `exp`), or the reason it is refused. */
export function verifyToken(token: string | undefined, secret: string, now = Date.now()): { ok: true; claims: unknown } | { ok: false; reason: string } {
  const [data, signature, extra] = (token ?? '').split('.');
  if (!data || !signature || extra !== undefined) return { ok: false, reason: 'missing or malformed' };
  const expected = mac(data, secret);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature does not match' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(data, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const { exp, ...claims } = (parsed ?? {}) as { exp?: unknown };
  if (typeof exp !== 'number' || exp * 1000 < now) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}
