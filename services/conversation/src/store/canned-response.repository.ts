import type { CannedScope } from '@relaydesk/contracts';
import type { Tx } from '@relaydesk/db';

export type CannedResponseRow = {
  id: string;
  scope: CannedScope;
  ownerId: string;
  title: string;
  text: string;
  createdAt: string;
  updatedAt: string;
  /** lower(title): the list's sort key, which a cursor carries. */
  sortKey: string;
};

type Raw = { id: string; scope: CannedScope; owner_id: string; title: string; text: string; created_at: Date; updated_at: Date; sort_key: string };
const COLUMNS = 'id, scope, owner_id, title, text, created_at, updated_at, lower(title) AS sort_key';
const toRow = (r: Raw): CannedResponseRow => ({
  id: r.id,
  scope: r.scope,
  ownerId: r.owner_id,
  title: r.title,
  text: r.text,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
  sortKey: r.sort_key,
});

export async function insertCannedResponse(tx: Tx, r: { id: string; scope: CannedScope; ownerId: string; title: string; text: string }): Promise<CannedResponseRow> {
  const rows = await tx.query<Raw[]>(
    `INSERT INTO canned_response (id, scope, owner_id, title, text) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
    [r.id, r.scope, r.ownerId, r.title, r.text],
  );
  return toRow(rows[0]!);
}

export async function lockCannedResponse(tx: Tx, id: string): Promise<CannedResponseRow | undefined> {
  const rows = await tx.query<Raw[]>(`SELECT ${COLUMNS} FROM canned_response WHERE id = $1 FOR UPDATE`, [id]);
  return rows[0] && toRow(rows[0]);
}

export async function updateCannedResponse(tx: Tx, id: string, change: { title?: string | undefined; text?: string | undefined }): Promise<CannedResponseRow> {
  // TypeORM answers an UPDATE with [rows, affected count].
  const [rows] = await tx.query<[Raw[], number]>(
    `UPDATE canned_response SET title = COALESCE($2, title), text = COALESCE($3, text), updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, change.title ?? null, change.text ?? null],
  );
  return toRow(rows[0]!);
}

export async function deleteCannedResponse(tx: Tx, id: string): Promise<void> {
  await tx.query('DELETE FROM canned_response WHERE id = $1', [id]);
}

export type CannedFilter = {
  /** The caller: global ones and his own are listed. */
  ownerId: string;
  /** A LIKE pattern matched against the lower-cased title and the lower-cased start of the text. */
  pattern?: string | undefined;
  after?: { key: string; id: string } | undefined;
  limit: number;
};

/** Sorted by title, case-insensitively; the prefix conditions use the text_pattern_ops indexes. */
export async function listCannedResponses(tx: Tx, f: CannedFilter): Promise<CannedResponseRow[]> {
  const params: unknown[] = [f.ownerId];
  const param = (v: unknown): string => `$${params.push(v)}`;
  const where = [`(scope = 'global' OR owner_id = $1)`];
  if (f.pattern !== undefined) {
    const p = param(f.pattern);
    where.push(`(lower(title) LIKE lower(${p}) OR lower(left(text, 100)) LIKE lower(${p}))`);
  }
  if (f.after) where.push(`(lower(title), id) > (${param(f.after.key)}, ${param(f.after.id)}::uuid)`);
  const sql = `SELECT ${COLUMNS} FROM canned_response WHERE ${where.join(' AND ')} ORDER BY lower(title), id LIMIT ${param(f.limit)}`;
  return (await tx.query<Raw[]>(sql, params)).map(toRow);
}
