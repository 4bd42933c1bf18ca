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

// Short walks make the first try stop early in every test: its edges, and the answer from every
// match when the walks do not fill the page, are then what is checked. A window of two stops at
// matches; a walk of three messages stops before the oldest, whatever it found; walks of four
// then forty messages go on to the second whenever the first found a match.
describeEngineContract('PostgreSQL full-text, walks stopping at 2 matches', () => postgresEngine({ walks: [{ window: 2, read: 1_000 }] }));
describeEngineContract('PostgreSQL full-text, walks stopping at 1 then 3 matches', () => postgresEngine({ walks: [{ window: 1, read: 1_000 }, { window: 3, read: 1_000 }] }));
describeEngineContract('PostgreSQL full-text, walks of 3 then 5 messages', () => postgresEngine({ walks: [{ window: 2, read: 3 }, { window: 4, read: 5 }] }));
describeEngineContract('PostgreSQL full-text, walks of 4 then 40 messages', () => postgresEngine({ walks: [{ window: 3, read: 4 }, { window: 3, read: 40 }] }));
