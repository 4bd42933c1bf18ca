import { AppError } from '@relaydesk/service-kit';
import type { DataSource } from 'typeorm';
import type { Group } from '../domain/operator';
import { pgCodeOf, UNIQUE_VIOLATION } from './pg-errors';

export class GroupRepository {
  constructor(private readonly db: DataSource) {}

  async create(name: string): Promise<Group> {
    try {
      const [row]: Group[] = await this.db.query('INSERT INTO groups (name) VALUES ($1) RETURNING id, name', [name]);
      return row!;
    } catch (error) {
      if (pgCodeOf(error) === UNIQUE_VIOLATION) throw new AppError('conflict', `A group named ${name} already exists`);
      throw error;
    }
  }

  list(): Promise<Group[]> {
    return this.db.query('SELECT id, name FROM groups ORDER BY lower(name), id');
  }
}
