import type { Permission, Role } from '@relaydesk/contracts';
import { AppError } from '@relaydesk/service-kit';
import type { DataSource, EntityManager } from 'typeorm';
import type { AssignScope } from '../domain/may-assign-to';
import type { Operator } from '../domain/operator';
import { pgCodeOf, UNIQUE_VIOLATION } from './pg-errors';

export type NewOperator = Omit<Operator, 'id' | 'active'> & { passwordHash: string };
export type OperatorChanges = Partial<NewOperator> & { active?: boolean; revokeTokens?: true };

type Row = {
  id: string;
  name: string;
  email: string;
  role: Role;
  permissions: Permission[];
  password_hash: string;
  group_ids: string[];
  tokens_valid_after: Date | null;
  revoked_token_ids: string[];
  deactivated_at: Date | null;
};

/** A caller loaded for a request is reused this long, so a change made elsewhere shows within it. */
const CACHE_MS = 1000;

const selectOperators = `
  SELECT o.id, o.name, o.email, o.role, o.permissions, o.password_hash, o.tokens_valid_after, o.deactivated_at,
         COALESCE(array_agg(og.group_id::text ORDER BY og.group_id) FILTER (WHERE og.group_id IS NOT NULL), '{}') AS group_ids,
         ARRAY(SELECT r.token_id::text FROM revoked_tokens r WHERE r.operator_id = o.id AND r.expires_at > now()) AS revoked_token_ids
  FROM operators o LEFT JOIN operator_groups og ON og.operator_id = o.id`;

function toOperator(r: Row): Operator {
  return {
    id: r.id,
    name: r.name,
    email: r.email,
    role: r.role,
    permissions: r.permissions,
    groupIds: r.group_ids,
    tokensValidAfter: r.tokens_valid_after,
    revokedTokenIds: r.revoked_token_ids,
    active: r.deactivated_at === null,
  };
}

function duplicateEmail(error: unknown, email: string | undefined): unknown {
  return pgCodeOf(error) === UNIQUE_VIOLATION ? new AppError('conflict', `An operator with email ${email} already exists`) : error;
}

export class OperatorRepository {
  private readonly cache = new Map<string, { operator: Operator; until: number }>();

  constructor(private readonly db: DataSource) {}

  async findById(id: string, q: EntityManager = this.db.manager): Promise<Operator | undefined> {
    const rows: Row[] = await q.query(`${selectOperators} WHERE o.id = $1 GROUP BY o.id`, [id]);
    return rows[0] && toOperator(rows[0]);
  }

  /** Like findById, but may answer from a cache up to CACHE_MS old. */
  async findCached(id: string): Promise<Operator | undefined> {
    const now = Date.now();
    const hit = this.cache.get(id);
    if (hit && hit.until > now) return hit.operator;
    const operator = await this.findById(id);
    if (operator) this.cache.set(id, { operator, until: now + CACHE_MS });
    else this.cache.delete(id);
    return operator;
  }

  /** Drops a cached operator, after word that he changed: the next findCached reads him. */
  forget(id: string): void {
    this.cache.delete(id);
  }

  async findCredentials(email: string): Promise<{ operator: Operator; passwordHash: string } | undefined> {
    const rows: Row[] = await this.db.query(`${selectOperators} WHERE lower(o.email) = lower($1) GROUP BY o.id`, [email]);
    return rows[0] && { operator: toOperator(rows[0]), passwordHash: rows[0].password_hash };
  }

  async list(scope: AssignScope): Promise<Operator[]> {
    const [where, params] =
      scope.kind === 'everyone'
        ? ['', []]
        : ['WHERE EXISTS (SELECT 1 FROM operator_groups x WHERE x.operator_id = o.id AND x.group_id = ANY($1::uuid[]))', [scope.groupIds]];
    const rows: Row[] = await this.db.query(`${selectOperators} ${where} GROUP BY o.id ORDER BY lower(o.name), o.id`, params);
    return rows.map(toOperator);
  }

  async create(operator: NewOperator): Promise<Operator> {
    try {
      return await this.db.transaction(async (tx) => {
        const [row]: { id: string }[] = await tx.query(
          `INSERT INTO operators (name, email, password_hash, role, permissions) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
          [operator.name, operator.email, operator.passwordHash, operator.role, operator.permissions],
        );
        await this.replaceGroups(tx, row!.id, operator.groupIds);
        return (await this.findById(row!.id, tx))!;
      });
    } catch (error) {
      throw duplicateEmail(error, operator.email);
    }
  }

  /** Creates the operator unless one has the email already; never touches an existing one. */
  async createIfMissing(operator: Omit<NewOperator, 'groupIds'>): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `INSERT INTO operators (name, email, password_hash, role, permissions) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT ((lower(email))) DO NOTHING RETURNING id`,
      [operator.name, operator.email, operator.passwordHash, operator.role, operator.permissions],
    );
    return rows.length > 0;
  }

  async update(id: string, changes: OperatorChanges): Promise<Operator | undefined> {
    const columns = { name: 'name', email: 'email', passwordHash: 'password_hash', role: 'role', permissions: 'permissions' } as const;
    const params: unknown[] = [id];
    const sets = ['updated_at = now()'];
    for (const [key, column] of Object.entries(columns)) {
      const value = changes[key as keyof typeof columns];
      if (value === undefined) continue;
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    }
    // The gateway's clock, which also stamps the tokens it issues, not the database's.
    const now = new Date();
    if (changes.passwordHash !== undefined || changes.active === false || changes.revokeTokens) sets.push(`tokens_valid_after = $${params.push(now)}`);
    if (changes.active !== undefined) sets.push(`deactivated_at = $${params.push(changes.active ? null : now)}`);
    try {
      const operator = await this.db.transaction(async (tx) => {
        // TypeORM answers an UPDATE with [rows, affected count].
        const [found]: [unknown[], number] = await tx.query(`UPDATE operators SET ${sets.join(', ')} WHERE id = $1 RETURNING id`, params);
        if (found.length === 0) return undefined;
        if (changes.groupIds) await this.replaceGroups(tx, id, changes.groupIds);
        return this.findById(id, tx);
      });
      this.cache.delete(id);
      return operator;
    } catch (error) {
      throw duplicateEmail(error, changes.email);
    }
  }

  /** Refuses one access token from now until it expires; rows of tokens expired by now go with it. */
  async revokeToken(operatorId: string, tokenId: string, expiresAt: Date): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('DELETE FROM revoked_tokens WHERE expires_at <= now()');
      await tx.query('INSERT INTO revoked_tokens (token_id, operator_id, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [tokenId, operatorId, expiresAt]);
    });
    this.cache.delete(operatorId);
  }

  /** Super_admins who can still log in. */
  async countSuperAdmins(): Promise<number> {
    const [row]: { n: number }[] = await this.db.query(`SELECT count(*)::int AS n FROM operators WHERE role = 'super_admin' AND deactivated_at IS NULL`);
    return row?.n ?? 0;
  }

  private async replaceGroups(tx: EntityManager, operatorId: string, groupIds: string[]): Promise<void> {
    await tx.query('DELETE FROM operator_groups WHERE operator_id = $1', [operatorId]);
    await tx.query(
      'INSERT INTO operator_groups (operator_id, group_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING',
      [operatorId, groupIds],
    );
  }
}
