import { createTestEnv, type TestEnv } from '@relaydesk/testing';
import type { DataSource } from 'typeorm';
import { createDataSource, openDatabase } from '../src';

describe('createDataSource', () => {
  let env: TestEnv;
  let db: DataSource;

  beforeAll(async () => {
    env = await createTestEnv();
    db = await openDatabase(createDataSource({ url: env.databaseUrl, schema: 'billing_test', migrations: [] }));
  });
  afterAll(async () => {
    await db.destroy();
    await env.dispose();
  });

  it('confines a service to its schema and names its connections after it in pg_stat_activity', async () => {
    const [row] = await db.query<{ schema: string; application_name: string }[]>('SELECT current_schema() AS schema, application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()');
    expect(row).toEqual({ schema: 'billing_test', application_name: 'billing_test' });
  });
});
