import type { Tx } from '@relaydesk/db';

export type TagRow = { id: string; name: string; createdAt: string };

type Raw = Record<string, unknown>;
const toRow = (r: Raw): TagRow => ({ id: r['id'] as string, name: r['name'] as string, createdAt: (r['created_at'] as Date).toISOString() });

/** Names are unique whatever their case (D24). */
const keyOf = (name: string): string => name.toLowerCase();

/** The tag of this name, made when no tag has it in any case; `created` says which. */
export async function findOrCreateTag(tx: Tx, t: { id: string; name: string; createdBy: string; at: string }): Promise<{ tag: TagRow; created: boolean }> {
  const inserted = await tx.query<Raw[]>(
    `INSERT INTO tag (id, name, name_key, created_by, created_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (name_key) DO NOTHING RETURNING *`,
    [t.id, t.name, keyOf(t.name), t.createdBy, t.at],
  );
  if (inserted[0]) return { tag: toRow(inserted[0]), created: true };
  const [existing] = await tx.query<Raw[]>('SELECT * FROM tag WHERE name_key = $1', [keyOf(t.name)]);
  return { tag: toRow(existing!), created: false };
}

export async function findTag(tx: Tx, id: string): Promise<TagRow | undefined> {
  const [row] = await tx.query<Raw[]>('SELECT * FROM tag WHERE id = $1', [id]);
  return row && toRow(row);
}

/** Tags by name after `afterName` (a page's last), whose name starts with `prefix` when given. */
export async function listTags(tx: Tx, q: { prefix: string | undefined; afterName: string | undefined; limit: number }): Promise<TagRow[]> {
  const rows = await tx.query<Raw[]>(
    `SELECT * FROM tag WHERE ($1::text IS NULL OR starts_with(name_key, $1)) AND ($2::text IS NULL OR name_key > $2) ORDER BY name_key LIMIT $3`,
    [q.prefix === undefined ? null : keyOf(q.prefix), q.afterName === undefined ? null : keyOf(q.afterName), q.limit],
  );
  return rows.map(toRow);
}

/** Puts the tag on the messages that lack it; answers the ids it was put on. */
export async function tagMessages(tx: Tx, tagId: string, messageIds: string[], taggedBy: string, at: string): Promise<Set<string>> {
  const rows = await tx.query<{ message_id: string }[]>(
    `INSERT INTO message_tag (message_id, tag_id, tagged_by, tagged_at) SELECT unnest($1::uuid[]), $2, $3, $4
     ON CONFLICT DO NOTHING RETURNING message_id`,
    [messageIds, tagId, taggedBy, at],
  );
  return new Set(rows.map((r) => r.message_id));
}

/** A message's tags as one column of a query over `message m`. */
export const TAGS_JSON = `COALESCE((SELECT jsonb_agg(jsonb_build_object('id', t.id, 'name', t.name) ORDER BY t.name_key)
  FROM message_tag mt JOIN tag t ON t.id = mt.tag_id WHERE mt.message_id = m.id), '[]'::jsonb) AS tags`;
