import type { Client } from 'pg';

/** D14 computed from PostgreSQL: the truth `GET /conversations/counters` must equal. */
export async function countersInDatabase(db: Client, operatorId: string, groupIds: string[]): Promise<{ mine: number; unread: { unassigned: number; mine: number } }> {
  const { rows } = await db.query<{ mine: number; mine_unread: number; unassigned_unread: number }>(
    `SELECT
       count(*) FILTER (WHERE c.status = 'in_progress' AND c.assignee_id = $1)::int AS mine,
       count(*) FILTER (WHERE c.status = 'in_progress' AND c.assignee_id = $1 AND c.unread_count > 0)::int AS mine_unread,
       count(*) FILTER (WHERE c.status = 'unassigned' AND c.group_id = ANY($2::uuid[]) AND c.unread_count > 0)::int AS unassigned_unread
     FROM conversation.conversation c JOIN conversation.client cl ON cl.id = c.client_id WHERE NOT cl.blacklisted`,
    [operatorId, groupIds],
  );
  const r = rows[0]!;
  return { mine: r.mine, unread: { unassigned: r.unassigned_unread, mine: r.mine_unread } };
}
