import { AppError } from '@relaydesk/service-kit';
import type { DataSource } from 'typeorm';
import type { Group } from '../domain/operator';
import { pgCodeOf, UNIQUE_VIOLATION } from './pg-errors';

export class GroupRepository {
  constructor(private readonly db: DataSource) {}

  async create(name: string): Promise<Group> {
    const [row] = await this.named(name, 'INSERT INTO groups (name) VALUES ($1) RETURNING id, name', [name]);
    return row!;
  }

  async rename(id: string, name: string): Promise<Group | undefined> {
    // Through a SELECT, for which TypeORM answers the rows (for an UPDATE, [rows, affected count]).
    const [row] = await this.named(name, 'WITH renamed AS (UPDATE groups SET name = $2 WHERE id = $1 RETURNING id, name) SELECT * FROM renamed', [id, name]);
    return row;
  }

  list(): Promise<Group[]> {
    return this.db.query('SELECT id, name FROM groups ORDER BY lower(name), id');
  }

  /** Names are unique whatever their case: a taken one answers 409. */
  private async named(name: string, sql: string, params: unknown[]): Promise<Group[]> {
    try {
      return await this.db.query(sql, params);
    } catch (error) {
      if (pgCodeOf(error) === UNIQUE_VIOLATION) throw new AppError('conflict', `A group named ${name} already exists`);
      throw error;
    }
  }
}
