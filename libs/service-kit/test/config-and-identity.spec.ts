import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ConfigError, baseConfig, internalRequest, loadConfig, misspeltSettings, signIdentity, signToken, verifyIdentity } from '../src';

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

describe('misspelt settings', () => {
  const settings = ['MEILI_URL', 'JWT_SECRET', 'DATABASE_URL', 'BLOB_DIR', 'PORT'];

  it('names a variable one edit away from a setting (a letter missing, added, wrong or swapped), with the setting meant', () => {
    expect(misspeltSettings(settings, ['MEILI_ULR', 'JWT_SECRTE', 'DATABSE_URL', 'BLOB_DIRR', 'DATABASE_URL', 'MEILI_URL'])).toEqual([
      'MEILI_ULR is not a setting of this service: did you mean MEILI_URL? MEILI_URL keeps its default meanwhile.',
      'JWT_SECRTE is not a setting of this service: did you mean JWT_SECRET? JWT_SECRET keeps its default meanwhile.',
      'DATABSE_URL is not a setting of this service: did you mean DATABASE_URL? DATABASE_URL keeps its default meanwhile.',
      'BLOB_DIRR is not a setting of this service: did you mean BLOB_DIR? BLOB_DIR keeps its default meanwhile.',
    ]);
  });

  it('leaves alone the rest of the environment: other services\' settings, other programs\' variables, short names, lower case', () => {
    expect(misspeltSettings(settings, ['PATH', 'HOME', 'HOSTNAME', 'SMTP_URL', 'MEILI_MASTER_KEY', 'REDIS_URL_X1', 'NODE_OPTIONS', 'POR', 'meili_url', 'npm_config_cache', 'BLOB_DIRS_OLD'])).toEqual([]);
  });

  it('loadConfig warns with them and starts all the same', () => {
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      expect(loadConfig(baseConfig, { INTERNAL_SECRET: 'a-secret-of-enough-length', REDIS_ULR: 'redis://elsewhere:6379' }).REDIS_URL).toBe('redis://127.0.0.1:6379');
      expect(emitWarning.mock.calls).toEqual([['REDIS_ULR is not a setting of this service: did you mean REDIS_URL? REDIS_URL keeps its default meanwhile.', 'ConfigWarning']]);
    } finally {
      emitWarning.mockRestore();
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
  const list = { method: 'GET', path: '/conversations?tab=mine' };

  it('verifies what it signed, for the request it signed it for', () => {
    expect(verifyIdentity(signIdentity(identity, secret, list), secret, list)).toEqual(identity);
    expect(verifyIdentity(signIdentity(identity, secret, { method: 'get', path: list.path }), secret, list)).toEqual(identity);
  });

  it('D33: refuses a forged, tampered, expired or missing header', () => {
    const signed = signIdentity(identity, secret, list);
    const [data, mac] = signed.split('.');
    const claims = JSON.parse(Buffer.from(data!, 'base64url').toString('utf8')) as object;
    const tampered = `${Buffer.from(JSON.stringify({ ...claims, role: 'super_admin' })).toString('base64url')}.${mac}`;
    expect(() => verifyIdentity(signIdentity(identity, 'another-secret-value', list), secret, list)).toThrow(/signature/);
    expect(() => verifyIdentity(tampered, secret, list)).toThrow(/signature/);
    expect(() => verifyIdentity(`${data}`, secret, list)).toThrow(/malformed/);
    expect(() => verifyIdentity(undefined, secret, list)).toThrow(/malformed/);
    expect(() => verifyIdentity(signIdentity(identity, secret, list, Date.now() - 120_000), secret, list)).toThrow(/expired/);
  });

  it('D33: refuses a header replayed on another method, path or query, or one signed for no request', () => {
    const signed = signIdentity(identity, secret, list);
    const id = randomUUID();
    for (const other of [
      { method: 'POST', path: '/conversations?tab=mine' },
      { method: 'GET', path: '/conversations?tab=all' },
      { method: 'GET', path: '/conversations' },
      { method: 'GET', path: `/conversations/${id}` },
      { method: 'POST', path: `/conversations/${id}/close` },
    ]) {
      expect(() => verifyIdentity(signed, secret, other)).toThrow('Internal identity refused: signed for another request');
    }
    expect(() => verifyIdentity(signToken(identity, secret, 60), secret, list)).toThrow('Internal identity refused: signed for another request');
  });

  it('stays small for a long query', () => {
    const long = { method: 'GET', path: `/search?q=${'x'.repeat(30_000)}` };
    const header = signIdentity(identity, secret, long);
    expect(header.length).toBeLessThan(600);
    expect(verifyIdentity(header, secret, long)).toEqual(identity);
  });

  it('names the request as fetch and node:http send it', () => {
    expect(internalRequest('GET', new URL("http://conversation:3001/search?q=l'été 🙂&limit=5"))).toEqual({ method: 'GET', path: '/search?q=l%27%C3%A9t%C3%A9%20%F0%9F%99%82&limit=5' });
  });
});
