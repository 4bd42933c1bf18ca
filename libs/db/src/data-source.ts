import 'reflect-metadata';
import { DataSource, MigrationExecutor, type EntityManager, type EntitySchema, type MixedList } from 'typeorm';
import { createOutboxAndInbox1732000000000 } from './outbox-inbox.migration';
import type { MigrationClass } from './sql-migration';

export type Tx = EntityManager;

export type DataSourceOptions = {
  url: string;
  /** The service's own PostgreSQL schema; every unqualified table name resolves into it. */
  schema: string;
  migrations: MigrationClass[];
  entities?: MixedList<EntitySchema>;
  poolSize?: number;
};

/** One TypeORM DataSource per service, confined to the service's schema; never `synchronize`. */
export function createDataSource({ url, schema, migrations, entities = [], poolSize = 10 }: DataSourceOptions): DataSource {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`Bad schema name: ${schema}`);
  return new DataSource({
    type: 'postgres',
    url,
    schema,
    entities,
    migrations: [createOutboxAndInbox1732000000000, ...migrations],
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: false,
    // application_name: pg_stat_activity and the server's logs say which service a connection serves.
    extra: { max: poolSize, options: `-c search_path=${schema}`, application_name: schema },
  });
}

/**
 * Connects, makes the schema if missing and applies pending migrations, under a lock so replicas
 * agree. The migrations run on the connection that holds the lock, so a pool of one suffices.
 */
export async function openDatabase(dataSource: DataSource): Promise<DataSource> {
  const schema = (dataSource.options as { schema: string }).schema;
  await dataSource.initialize().catch((error: unknown) => {
    throw new Error(`PostgreSQL out of reach: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  });
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`migrate:${schema}`]);
    await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const migrations = new MigrationExecutor(dataSource, runner);
    migrations.transaction = 'each';
    await migrations.executePendingMigrations();
  } finally {
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`migrate:${schema}`]).catch(() => undefined);
    await runner.release();
  }
  return dataSource;
}

export const postgresDependency = (dataSource: DataSource) => ({ name: 'postgres', check: () => dataSource.query('SELECT 1') });
