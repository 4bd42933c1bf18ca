import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Client } from 'pg';

export const infra = {
  postgres: process.env['TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432',
  amqp: process.env['TEST_AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672',
  rabbitAdmin: process.env['TEST_RABBIT_ADMIN_URL'] ?? 'http://guest:guest@127.0.0.1:15672',
  redis: process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379',
};

export type TestEnv = {
  name: string;
  env: Record<string, string>;
  databaseUrl: string;
  amqpUrl: string;
  dispose(): Promise<void>;
};

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: `${infra.postgres}/postgres` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function rabbitAdmin(method: 'GET' | 'PUT' | 'DELETE', path: string, body: object = {}): Promise<unknown> {
  const url = new URL(path, infra.rabbitAdmin);
  const auth = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
  url.username = '';
  url.password = '';
  const res = await fetch(url, { method, headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' }, body: method === 'PUT' ? JSON.stringify(body) : undefined });
  if (!res.ok && res.status !== 404) throw new Error(`RabbitMQ management ${method} ${path}: ${res.status} ${await res.text()}`);
  return method === 'GET' ? res.json() : undefined;
}

/** What RabbitMQ's management API answers to a GET of `path` (/api/…), as a test reads it. */
export const rabbitAdminGet = (path: string): Promise<unknown> => rabbitAdmin('GET', path);

/** A database, a RabbitMQ vhost and a Redis key prefix of their own, so test runs never meet. */
export async function createTestEnv(): Promise<TestEnv> {
  const name = `rdtest_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  await rabbitAdmin('PUT', `/api/vhosts/${name}`);
  await rabbitAdmin('PUT', `/api/permissions/${name}/guest`, { configure: '.*', write: '.*', read: '.*' });
  const databaseUrl = `${infra.postgres}/${name}`;
  const amqpUrl = `${infra.amqp}/${name}`;
  return {
    name,
    databaseUrl,
    amqpUrl,
    env: {
      DATABASE_URL: databaseUrl,
      AMQP_URL: amqpUrl,
      REDIS_URL: infra.redis,
      REDIS_PREFIX: `${name}:`,
      INTERNAL_SECRET: `internal-${name}`,
      JWT_SECRET: `jwt-${name}-secret`,
      NODE_ENV: 'test',
      LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'warn',
    },
    async dispose() {
      await rabbitAdmin('DELETE', `/api/vhosts/${name}`);
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await forgetRedisKeys(`${name}:`);
    },
  };
}

/** The keys a test environment left in the shared Redis (live state, presence, counters), all under its prefix. */
async function forgetRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(infra.redis);
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 1000 }) as AsyncIterable<string[]>) {
      if (keys.length > 0) await redis.unlink(...keys);
    }
  } finally {
    redis.disconnect();
  }
}
