import type { Client } from 'pg';

type Counters = { mine: number; unread: { unassigned: number; mine: number; closed: number; all?: number; blacklist?: number } };

/**
 * D14 computed from PostgreSQL: the truth `GET /conversations/counters` must equal, for an operator
 * whose scope is `groupIds` and who, with `allTab`, also counts the All and Blacklist tabs (D1).
 */
export async function countersInDatabase(db: Client, operatorId: string, groupIds: string[], { allTab = false } = {}): Promise<Counters> {
  const { rows } = await db.query<Record<'mine' | 'mine_unread' | 'closed_unread' | 'unassigned_unread' | 'all_unread' | 'blacklist_unread', number>>(
    `SELECT
       count(*) FILTER (WHERE NOT cl.blacklisted AND c.status = 'in_progress' AND c.assignee_id = $1)::int AS mine,
       count(*) FILTER (WHERE NOT cl.blacklisted AND c.unread_count > 0 AND c.status = 'in_progress' AND c.assignee_id = $1)::int AS mine_unread,
       count(*) FILTER (WHERE NOT cl.blacklisted AND c.unread_count > 0 AND c.status = 'closed' AND c.assignee_id = $1)::int AS closed_unread,
       count(*) FILTER (WHERE NOT cl.blacklisted AND c.unread_count > 0 AND c.status = 'unassigned' AND c.group_id = ANY($2::uuid[]))::int AS unassigned_unread,
       count(*) FILTER (WHERE NOT cl.blacklisted AND c.unread_count > 0 AND c.group_id = ANY($2::uuid[]))::int AS all_unread,
       count(*) FILTER (WHERE cl.blacklisted AND c.unread_count > 0 AND c.group_id = ANY($2::uuid[]))::int AS blacklist_unread
     FROM conversation.conversation c JOIN conversation.client cl ON cl.id = c.client_id`,
    [operatorId, groupIds],
  );
  const r = rows[0]!;
  const unread = { unassigned: r.unassigned_unread, mine: r.mine_unread, closed: r.closed_unread };
  return { mine: r.mine, unread: allTab ? { ...unread, all: r.all_unread, blacklist: r.blacklist_unread } : unread };
}
