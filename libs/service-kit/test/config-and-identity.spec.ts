import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ConfigError, baseConfig, loadConfig, signIdentity, verifyIdentity } from '../src';

describe('config', () => {
  it('names every bad variable', () => {
    const schema = baseConfig.extend({ PORT: z.coerce.number().int() });
    expect(() => loadConfig(schema, { INTERNAL_SECRET: 'short', PORT: 'eighty', DATABASE_URL: 'nope' })).toThrow(ConfigError);
    try {
      loadConfig(schema, { INTERNAL_SECRET: 'short', PORT: 'eighty', DATABASE_URL: 'nope' });
    } catch (error) {
      expect((error as Error).message).toMatch(/INTERNAL_SECRET: .*16/);
      expect((error as Error).message).toMatch(/PORT:/);
      expect((error as Error).message).toMatch(/DATABASE_URL:/);
    }
  });
});

describe('internal identity', () => {
  const secret = 'a-secret-of-enough-length';
  const identity = { operatorId: randomUUID(), role: 'operator' as const, permissions: [], groupIds: [randomUUID()] };

  it('verifies what it signed', () => {
    expect(verifyIdentity(signIdentity(identity, secret), secret)).toEqual(identity);
  });

  it('D33: refuses a forged, tampered, expired or missing header', () => {
    const signed = signIdentity(identity, secret);
    const [data, mac] = signed.split('.');
    const tampered = `${Buffer.from(JSON.stringify({ ...identity, role: 'super_admin', exp: 9e9 })).toString('base64url')}.${mac}`;
    expect(() => verifyIdentity(signIdentity(identity, 'another-secret-value'), secret)).toThrow(/signature/);
    expect(() => verifyIdentity(tampered, secret)).toThrow(/signature/);
    expect(() => verifyIdentity(`${data}`, secret)).toThrow(/malformed/);
    expect(() => verifyIdentity(undefined, secret)).toThrow(/malformed/);
    expect(() => verifyIdentity(signIdentity(identity, secret, Date.now() - 120_000), secret)).toThrow(/expired/);
  });
});
