import { createHash } from 'node:crypto';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { AppError } from '@relaydesk/service-kit';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { Tx } from './data-source';

const hashOfText = new Map<string, string>();

/**
 * Part of every name: bumped when PostgreSQL refuses a prepared statement's cached plan, so each
 * text is prepared afresh under a new name on every connection (a name cannot be prepared twice).
 */
let generation = 0;

/** PostgreSQL's answer when a migration changed the result of a prepared statement (`SELECT c.*` after ADD COLUMN). */
const isStalePlan = (error: unknown): boolean => {
  const { code, routine } = error as { code?: unknown; routine?: unknown };
  return code === '0A000' && routine === 'RevalidateCachedQuery';
};

function statementName(text: string): string {
  let hash = hashOfText.get(text);
  if (hash === undefined) {
    hash = createHash('sha1').update(text).digest('hex').slice(0, 24);
    hashOfText.set(text, hash);
  }
  return `rd${generation}_${hash}`;
}

/** The connection of the manager's transaction, or the pool for a manager outside one (as TypeORM's own `query`). */
function connectionOf(on: Tx | DataSource): Pool | PoolClient {
  const manager = on instanceof DataSource ? on.manager : on;
  const runner = manager.queryRunner as { databaseConnection?: PoolClient } | undefined;
  if (!runner) return (manager.connection.driver as PostgresDriver).master as Pool;
  if (!runner.databaseConnection) throw new Error('queryPrepared was given a transaction that holds no connection');
  return runner.databaseConnection;
}

/**
 * Runs a statement as a named prepared statement, so PostgreSQL parses and plans it once per pooled
 * connection instead of on every call. Planning was a third to a half of what the statements of
 * each client message cost PostgreSQL (pg_stat_statements, ADR 13). For texts that never change
 * only: each distinct text stays prepared on every connection that ran it. Answers the rows, also
 * of UPDATE and DELETE (which TypeORM's `query` answers as [rows, count]). When a migration has
 * changed what a statement returns, it is prepared again: at once on the pool, on the next try in a
 * transaction (which PostgreSQL has aborted).
 */
export async function queryPrepared<T extends QueryResultRow>(on: Tx | DataSource, text: string, values: unknown[]): Promise<T[]> {
  const connection = connectionOf(on);
  const run = async () => (await connection.query<T>({ name: statementName(text), text, values })).rows;
  try {
    return await run();
  } catch (error) {
    if (!isStalePlan(error)) throw error;
    // A rolling deploy migrated a table under this process's statements.
    generation++;
    if (!(on instanceof DataSource) && on.queryRunner) {
      // The transaction is aborted: its caller may run it again (a consumer retries, a request answers 503).
      throw new AppError('unavailable', 'The database schema changed under a prepared statement; try again');
    }
    return run();
  }
}
