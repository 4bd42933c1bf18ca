import { uuid } from '@relaydesk/contracts';
import type { DataSource } from 'typeorm';

/** Ids that cannot be in the database are left out of lookups rather than failing the query. */
function uuidsOf(ids: Iterable<string>): string[] {
  return [...new Set([...ids].map((id) => id.toLowerCase()))].filter((id) => uuid.safeParse(id).success);
}

/** Batch lookups of people and groups for routes that enrich what other services answer. */
export class Directory {
  constructor(private readonly db: DataSource) {}

  async operatorNames(ids: Iterable<string>): Promise<Map<string, string>> {
    return this.names('operators', ids);
  }

  async groupNames(ids: Iterable<string>): Promise<Map<string, string>> {
    return this.names('groups', ids);
  }

  async groupExists(id: string): Promise<boolean> {
    return (await this.missingGroupIds([id])).length === 0;
  }

  /** The ids among these that name no group, in the order given. */
  async missingGroupIds(ids: Iterable<string>): Promise<string[]> {
    const wanted = [...new Set(ids)];
    const found = await this.groupNames(wanted);
    return wanted.filter((id) => !found.has(id.toLowerCase()));
  }

  private async names(table: 'operators' | 'groups', ids: Iterable<string>): Promise<Map<string, string>> {
    const wanted = uuidsOf(ids);
    if (wanted.length === 0) return new Map();
    const rows: { id: string; name: string }[] = await this.db.query(`SELECT id, name FROM ${table} WHERE id = ANY($1::uuid[])`, [wanted]);
    return new Map(rows.map((r) => [r.id, r.name]));
  }
}
