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

describe('config in production', () => {
  const schema = baseConfig.extend({ JWT_SECRET: z.string().min(16), MEILI_MASTER_KEY: z.string().optional() });
  const examples = { INTERNAL_SECRET: 'dev-internal-secret-change-me', JWT_SECRET: 'dev-jwt-secret-change-me', MEILI_MASTER_KEY: 'dev-meili-master-key-changeme' };

  it('refuses the example secrets of docker-compose.yml and the docs, naming each', () => {
    expect(() => loadConfig(schema, { NODE_ENV: 'production', ...examples })).toThrow(
      new ConfigError(
        [
          'Invalid configuration:',
          '  INTERNAL_SECRET: is an example value; set a secret of your own (e.g. openssl rand -hex 32)',
          '  JWT_SECRET: is an example value; set a secret of your own (e.g. openssl rand -hex 32)',
          '  MEILI_MASTER_KEY: is an example value; set a secret of your own (e.g. openssl rand -hex 32)',
        ].join('\n'),
      ),
    );
  });

  it('takes them outside production, and real secrets in it', () => {
    expect(loadConfig(schema, { NODE_ENV: 'development', ...examples }).JWT_SECRET).toBe(examples.JWT_SECRET);
    const own = { INTERNAL_SECRET: randomUUID(), JWT_SECRET: randomUUID() };
    expect(loadConfig(schema, { NODE_ENV: 'production', ...own })).toMatchObject(own);
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
