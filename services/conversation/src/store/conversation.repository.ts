import type { ConversationState, ConversationStatus, ConversationTab } from '@relaydesk/contracts';
import { queryPrepared, type Tx } from '@relaydesk/db';
import type { Cursor } from '@relaydesk/service-kit';

export type ConversationRow = ConversationState & {
  id: string;
  clientId: string;
  clientName: string;
  blacklisted: boolean;
  pinnedOperatorId: string | null;
  channel: string;
  channelId: string;
  externalClientId: string;
  statusChangedAt: string;
  closedAt: string | null;
  lastMessageAt: string;
  lastMessageText: string | null;
  lastMessageDirection: 'in' | 'out' | null;
  unreadCount: number;
  listedAt: string;
  version: number;
};

export const stateOf = (c: ConversationState): ConversationState => ({ status: c.status, assigneeId: c.assigneeId, groupId: c.groupId });

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

type Raw = Record<string, unknown>;
const toRow = (r: Raw): ConversationRow => ({
  id: r['id'] as string,
  clientId: r['client_id'] as string,
  clientName: r['client_name'] as string,
  blacklisted: r['blacklisted'] as boolean,
  pinnedOperatorId: r['pinned_operator_id'] as string | null,
  channel: r['channel'] as string,
  channelId: r['channel_id'] as string,
  externalClientId: r['external_id'] as string,
  status: r['status'] as ConversationStatus,
  assigneeId: r['assignee_id'] as string | null,
  groupId: r['group_id'] as string,
  statusChangedAt: iso(r['status_changed_at'] as Date)!,
  closedAt: iso(r['closed_at'] as Date | null),
  lastMessageAt: iso(r['last_message_at'] as Date)!,
  lastMessageText: r['last_message_text'] as string | null,
  lastMessageDirection: r['last_message_direction'] as 'in' | 'out' | null,
  unreadCount: r['unread_count'] as number,
  listedAt: iso(r['listed_at'] as Date)!,
  version: Number(r['version']),
});

/** Conversation rows (`from`: the table, or a CTE of its rows) with their client and the time `listedAt`. */
const selectListedAt = (listedAt: string, from = 'conversation'): string => `
  SELECT c.*, cl.name AS client_name, cl.blacklisted, cl.pinned_operator_id, cl.channel, cl.channel_id, cl.external_id, ${listedAt} AS listed_at
  FROM ${from} c JOIN client cl ON cl.id = c.client_id`;

/** One conversation on its own shows the time of its status (D11). */
const statusTime = `CASE c.status WHEN 'unassigned' THEN c.status_changed_at WHEN 'closed' THEN c.closed_at ELSE c.last_message_at END`;
const SELECT_ONE = selectListedAt(statusTime);

/** D11: the time each tab shows and sorts by. */
const listedAtOf: Record<ConversationTab, string> = {
  unassigned: 'c.status_changed_at',
  closed: 'c.closed_at',
  mine: 'c.last_message_at',
  all: 'c.last_message_at',
  blacklist: 'c.last_message_at',
};

export async function lockConversation(tx: Tx, id: string): Promise<ConversationRow | undefined> {
  const rows = await queryPrepared<Raw>(tx, `${SELECT_ONE} WHERE c.id = $1 FOR NO KEY UPDATE OF c`, [id]);
  return rows[0] && toRow(rows[0]);
}

/**
 * Locks the conversations of these messages, in id order. A transaction that changes a message and
 * then its conversation takes this first, in the order every other writer does (conversation, then
 * message); the other way round it deadlocks with a reply that re-reads the message it conflicts on.
 */
export async function lockConversationsOfMessages(tx: Tx, messageIds: string[]): Promise<void> {
  if (messageIds.length === 0) return;
  await tx.query(
    'SELECT c.id FROM conversation c WHERE c.id IN (SELECT conversation_id FROM message WHERE id = ANY($1::uuid[])) ORDER BY c.id FOR NO KEY UPDATE',
    [messageIds],
  );
}

/**
 * Runs an `UPDATE conversation c … ` that also counts a change of each row it touches for the live
 * state (one per transaction), and answers those rows as they are now, in id order: one round trip.
 */
export async function updateCounted(tx: Tx, update: string, params: unknown[]): Promise<ConversationRow[]> {
  const sql = `WITH counted AS (${update} RETURNING c.*) ${selectListedAt(statusTime, 'counted')} ORDER BY c.id`;
  return (await queryPrepared<Raw>(tx, sql, params)).map(toRow);
}

/** Counts a change of each conversation for the live state and answers the rows as they are now. The callers hold the rows' locks or have just written them. */
export async function bumpVersions(tx: Tx, ids: string[]): Promise<ConversationRow[]> {
  if (ids.length === 0) return [];
  return updateCounted(tx, 'UPDATE conversation c SET version = c.version + 1 WHERE c.id = ANY($1::uuid[])', [ids]);
}

/** Every conversation in id order, a page at a time (for rebuilding what derives from them). */
export async function pageOfConversations(tx: Tx, afterId: string | undefined, limit: number): Promise<ConversationRow[]> {
  const rows = await tx.query<Raw[]>(`${SELECT_ONE} WHERE ($1::uuid IS NULL OR c.id > $1::uuid) ORDER BY c.id LIMIT $2`, [afterId ?? null, limit]);
  return rows.map(toRow);
}

export async function findConversation(tx: Tx, id: string): Promise<ConversationRow | undefined> {
  const rows = await tx.query<Raw[]>(`${SELECT_ONE} WHERE c.id = $1`, [id]);
  return rows[0] && toRow(rows[0]);
}

const SET_STATE = `status = $2, assignee_id = $3, group_id = $4, status_changed_at = $5,
  closed_at = CASE WHEN $2 = 'closed' THEN $5::timestamptz ELSE c.closed_at END`;
const stateParams = (id: string, to: ConversationState, at: string) => [id, to.status, to.assigneeId, to.groupId, at];

export async function setState(tx: Tx, id: string, to: ConversationState, at: string): Promise<void> {
  await tx.query(`UPDATE conversation c SET ${SET_STATE} WHERE c.id = $1`, stateParams(id, to, at));
}

/** setState and bumpVersions in one round trip: the row as it is now, its change counted. */
export async function setStateCounted(tx: Tx, id: string, to: ConversationState, at: string): Promise<ConversationRow> {
  const [row] = await updateCounted(tx, `UPDATE conversation c SET ${SET_STATE}, version = c.version + 1 WHERE c.id = $1`, stateParams(id, to, at));
  return row!;
}

export async function recordLastMessage(tx: Tx, id: string, m: { text: string | null; direction: 'in' | 'out'; at: string }): Promise<void> {
  await tx.query(
    `UPDATE conversation SET last_message_at = GREATEST(last_message_at, $2), last_message_text = $3,
       last_message_direction = $4, unread_count = unread_count + CASE WHEN $4 = 'in' THEN 1 ELSE 0 END
     WHERE id = $1`,
    [id, m.at, m.text, m.direction],
  );
}

export async function markRead(tx: Tx, id: string): Promise<void> {
  await tx.query('UPDATE conversation SET unread_count = 0 WHERE id = $1', [id]);
}

export type ListFilter = {
  tab: ConversationTab;
  operatorId: string;
  /** Groups the caller is confined to (D3, D4); undefined means every group. */
  scopeGroupIds: string[] | undefined;
  groupId?: string;
  assigneeId?: string;
  status?: ConversationStatus;
  cursor?: Cursor;
  limit: number;
};

export async function listConversations(tx: Tx, f: ListFilter): Promise<ConversationRow[]> {
  const { sql, params } = listQuery(f);
  // Planned each time, not prepared: a generic plan cannot see how small a filtered group is, and a
  // deep page of the smallest group took 2 ms at p50 with one against 1.5 ms planned (list bench).
  return (await tx.query<Raw[]>(sql, params)).map(toRow);
}

/** The statement of a list page (also what the bench runs as the raw SQL of that page). */
export function listQuery(f: ListFilter): { sql: string; params: unknown[] } {
  const listedAt = listedAtOf[f.tab];
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (v: unknown): string => `$${params.push(v)}`;
  switch (f.tab) {
    case 'unassigned':
      where.push(`c.status = 'unassigned'`, 'NOT cl.blacklisted');
      break;
    case 'mine':
      where.push(`c.status = 'in_progress'`, `c.assignee_id = ${param(f.operatorId)}`, 'NOT cl.blacklisted');
      break;
    case 'closed':
      where.push(`c.status = 'closed'`, `c.assignee_id = ${param(f.operatorId)}`, 'NOT cl.blacklisted');
      break;
    case 'all':
      where.push('NOT cl.blacklisted');
      break;
    case 'blacklist':
      where.push('cl.blacklisted');
      break;
  }
  if (f.scopeGroupIds) where.push(`c.group_id = ANY(${param(f.scopeGroupIds)}::uuid[])`);
  if (f.groupId) where.push(`c.group_id = ${param(f.groupId)}`);
  if (f.assigneeId) where.push(`c.assignee_id = ${param(f.assigneeId)}`);
  if (f.status) where.push(`c.status = ${param(f.status)}`);
  if (f.cursor) where.push(`(${listedAt}, c.id) < (${param(f.cursor.key)}::timestamptz, ${param(f.cursor.id)}::uuid)`);
  const sql = `${selectListedAt(listedAt)}
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY ${listedAt} DESC, c.id DESC LIMIT ${param(f.limit)}`;
  return { sql, params };
}
