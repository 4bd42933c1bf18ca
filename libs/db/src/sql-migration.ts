import type { MigrationInterface, QueryRunner } from 'typeorm';

export type MigrationClass = new () => MigrationInterface;

/**
 * A migration of plain SQL statements. `name` ends with the 13-digit timestamp TypeORM orders
 * migrations by, e.g. `createConversations1732000000010`.
 */
export function sqlMigration(name: string, up: string[], down: string[]): MigrationClass {
  if (!/\d{13}$/.test(name)) throw new Error(`Migration name ${name} must end with a 13-digit timestamp`);
  const run = async (q: QueryRunner, statements: string[]) => {
    for (const sql of statements) await q.query(sql);
  };
  return class implements MigrationInterface {
    name = name;
    up = (q: QueryRunner) => run(q, up);
    down = (q: QueryRunner) => run(q, down);
  };
}
