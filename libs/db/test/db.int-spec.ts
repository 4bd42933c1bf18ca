import { AppError } from '@relaydesk/service-kit';
import { createTestEnv, type TestEnv } from '@relaydesk/testing';
import type { DataSource } from 'typeorm';
import { createDataSource, openDatabase, purgeInbox, queryPrepared, sqlMigration } from '../src';

describe('libs/db against PostgreSQL', () => {
  let env: TestEnv;
  let db: DataSource;

  beforeAll(async () => {
    env = await createTestEnv();
    db = await openDatabase(createDataSource({ url: env.databaseUrl, schema: 'db_test', migrations: [] }));
    await db.query('CREATE TABLE item (id int PRIMARY KEY, n int NOT NULL)');
  });
  afterAll(async () => {
    await db.destroy();
    await env.dispose();
  });

  it('createDataSource confines a service to its schema and names its connections after it in pg_stat_activity', async () => {
    const [row] = await db.query<{ schema: string; application_name: string }[]>('SELECT current_schema() AS schema, application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()');
    expect(row).toEqual({ schema: 'db_test', application_name: 'db_test' });
  });

  it('openDatabase applies the migrations on the connection that holds its lock, so a pool of one suffices', async () => {
    const addTable = sqlMigration('addSingleTable1732000000901', ['CREATE TABLE single (id int PRIMARY KEY)'], ['DROP TABLE single']);
    const single = await openDatabase(createDataSource({ url: env.databaseUrl, schema: 'db_single', migrations: [addTable], poolSize: 1 }));
    try {
      expect(await single.query('SELECT count(*)::int AS n FROM single')).toEqual([{ n: 0 }]);
      const applied: { name: string }[] = await single.query('SELECT name FROM migrations ORDER BY id');
      expect(applied.map((m) => m.name)).toContain('addSingleTable1732000000901');
    } finally {
      await single.destroy();
    }
  });

  describe('queryPrepared', () => {
    it('parses a text once per connection and runs it again by name', async () => {
      const insert = 'INSERT INTO item (id, n) SELECT unnest($1::int[]), 0 RETURNING id';
      const bump = 'UPDATE item SET n = n + 1 WHERE id = ANY($1::int[]) RETURNING id, n';
      const answers = await db.transaction(async (tx) => {
        const inserted = await queryPrepared<{ id: number }>(tx, insert, [[1, 2]]);
        const first = await queryPrepared<{ id: number; n: number }>(tx, bump, [[1]]);
        const second = await queryPrepared<{ id: number; n: number }>(tx, bump, [[1, 2]]);
        const prepared: { statement: string }[] = await tx.query('SELECT statement FROM pg_prepared_statements ORDER BY statement');
        return { inserted, first, second, prepared: prepared.map((p) => p.statement) };
      });
      expect(answers.inserted).toEqual([{ id: 1 }, { id: 2 }]);
      // Rows also for UPDATE, where TypeORM's query would answer [rows, count].
      expect(answers.first).toEqual([{ id: 1, n: 1 }]);
      expect(answers.second.sort((a, b) => a.id - b.id)).toEqual([
        { id: 1, n: 2 },
        { id: 2, n: 1 },
      ]);
      expect(answers.prepared).toEqual([insert, bump].sort());
    });

    it("fails with PostgreSQL's error code and leaves the pooled connection usable for the same statement", async () => {
      const insert = 'INSERT INTO item (id, n) VALUES ($1, $2) RETURNING id';
      await expect(queryPrepared(db, insert, [1, 5])).rejects.toMatchObject({ code: '23505' });
      await expect(queryPrepared(db, insert, [3, 5])).resolves.toEqual([{ id: 3 }]);
    });

    it('runs on the pool for a manager outside a transaction, and refuses a query runner that holds no connection', async () => {
      await expect(queryPrepared<{ one: number }>(db.manager, 'SELECT 1 AS one', [])).resolves.toEqual([{ one: 1 }]);
      const unconnected = db.createQueryRunner();
      await expect(queryPrepared(unconnected.manager, 'SELECT 1 AS one', [])).rejects.toThrow('holds no connection');
      await unconnected.release();
    });

    describe('after a migration changed what a prepared statement returns (a rolling deploy)', () => {
      const select = 'SELECT * FROM item WHERE id = ANY($1::int[]) ORDER BY id';

      it('fails the transaction it was in as unavailable, so that it is run again, and the next try prepares it afresh', async () => {
        const runner = db.createQueryRunner();
        await runner.connect();
        try {
          expect(await queryPrepared(runner.manager, select, [[1]])).toEqual([{ id: 1, n: 2 }]);
          await db.query('ALTER TABLE item ADD COLUMN note text');
          const stale = await queryPrepared(runner.manager, select, [[1]]).catch((e: unknown) => e);
          expect(stale).toBeInstanceOf(AppError);
          expect(stale).toMatchObject({ code: 'unavailable' });
          expect(await queryPrepared(runner.manager, select, [[1]])).toEqual([{ id: 1, n: 2, note: null }]);
        } finally {
          await runner.release();
        }
      });

      it('prepares it afresh at once on the pool', async () => {
        const single = await createDataSource({ url: env.databaseUrl, schema: 'db_test', migrations: [], poolSize: 1 }).initialize();
        try {
          expect(await queryPrepared(single, select, [[2]])).toEqual([{ id: 2, n: 1, note: null }]);
          await db.query('ALTER TABLE item ADD COLUMN tag text');
          expect(await queryPrepared(single, select, [[2]])).toEqual([{ id: 2, n: 1, note: null, tag: null }]);
        } finally {
          await single.destroy();
        }
      });
    });
  });

  it("purgeInbox forgets, in batches, every consumer's ids handled before the retention and keeps the newer ones", async () => {
    await db.query(
      `INSERT INTO inbox (consumer, message_id, handled_at)
       SELECT consumer, gen_random_uuid(), now() - make_interval(days => age)
       FROM unnest(ARRAY['routing.channels', 'conversation.inbound']) consumer, generate_series(1, 25), unnest(ARRAY[8, 6, 0]) age`,
    );
    const ages = () => db.query<{ age: number; n: number }[]>(`SELECT extract(day FROM now() - handled_at)::int AS age, count(*)::int AS n FROM inbox GROUP BY 1 ORDER BY 1`);

    expect(await purgeInbox(db, 7, 10)).toBe(50);
    expect(await ages()).toEqual([
      { age: 0, n: 50 },
      { age: 6, n: 50 },
    ]);
    expect(await purgeInbox(db, 7, 10)).toBe(0);
  });
});
