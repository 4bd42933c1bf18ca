import { createDataSource, openDatabase } from '@relaydesk/db';
import { createTestEnv } from '@relaydesk/testing';
import { PostgresEngine } from '../src/store/postgres-engine';
import { searchMigrations } from '../src/store/migrations';
import { describeEngineContract, type EngineUnderTest } from './engine-contract';

async function postgresEngine(options?: ConstructorParameters<typeof PostgresEngine>[1]): Promise<EngineUnderTest> {
  const env = await createTestEnv();
  const db = await openDatabase(createDataSource({ url: env.databaseUrl, schema: 'search', migrations: searchMigrations }));
  return {
    engine: new PostgresEngine(db, options),
    async dispose() {
      await db.destroy();
      await env.dispose();
    },
  };
}

describeEngineContract('PostgreSQL full-text', () => postgresEngine());

// Windows of two and three messages make the first try stop early in every test: its edges, and
// the answer from every match when the window does not fill the page, are then what is checked.
describeEngineContract('PostgreSQL full-text, newest-first window of 2', () => postgresEngine({ recentWindows: [2] }));
describeEngineContract('PostgreSQL full-text, newest-first windows of 1 then 3', () => postgresEngine({ recentWindows: [1, 3] }));
