import { uuid } from '@relaydesk/contracts';
import type { DataSource } from 'typeorm';

/** Ids that cannot be in the database are left out of lookups rather than failing the query. */
function uuidsOf(ids: Iterable<string>): string[] {
  return [...new Set([...ids].map((id) => id.toLowerCase()))].filter((id) => uuid.safeParse(id).success);
}

/** What naming the ids in other services' answers needs. */
export type NameLookup = Pick<Directory, 'operatorNames' | 'groupNames'>;

/**
 * Names kept for a few seconds, for the live stream: it names every change for every socket, and a
 * renamed operator or group showing its old name there for that long is acceptable.
 */
export class CachedNames implements NameLookup {
  private readonly cache = { operators: new Map<string, { name: string; until: number }>(), groups: new Map<string, { name: string; until: number }>() };

  constructor(
    private readonly directory: NameLookup,
    private readonly ttlMs = 10_000,
  ) {}

  operatorNames(ids: Iterable<string>): Promise<Map<string, string>> {
    return this.lookup('operators', ids, (missing) => this.directory.operatorNames(missing));
  }

  groupNames(ids: Iterable<string>): Promise<Map<string, string>> {
    return this.lookup('groups', ids, (missing) => this.directory.groupNames(missing));
  }

  private async lookup(kind: 'operators' | 'groups', ids: Iterable<string>, load: (ids: string[]) => Promise<Map<string, string>>): Promise<Map<string, string>> {
    const now = Date.now();
    const cache = this.cache[kind];
    const found = new Map<string, string>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const hit = cache.get(id);
      if (hit && hit.until > now) found.set(id, hit.name);
      else missing.push(id);
    }
    if (missing.length > 0) {
      for (const [id, name] of await load(missing)) {
        cache.set(id, { name, until: now + this.ttlMs });
        found.set(id, name);
      }
    }
    return found;
  }
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

  /** Every operator's and group's name: what a transcript may need to name (D23). */
  async everyName(): Promise<{ operators: Record<string, string>; groups: Record<string, string> }> {
    const all = async (table: 'operators' | 'groups') => {
      const rows: { id: string; name: string }[] = await this.db.query(`SELECT id, name FROM ${table}`);
      return Object.fromEntries(rows.map((r) => [r.id, r.name]));
    };
    const [operators, groups] = await Promise.all([all('operators'), all('groups')]);
    return { operators, groups };
  }

  private async names(table: 'operators' | 'groups', ids: Iterable<string>): Promise<Map<string, string>> {
    const wanted = uuidsOf(ids);
    if (wanted.length === 0) return new Map();
    const rows: { id: string; name: string }[] = await this.db.query(`SELECT id, name FROM ${table} WHERE id = ANY($1::uuid[])`, [wanted]);
    return new Map(rows.map((r) => [r.id, r.name]));
  }
}
