import type { Tx } from './data-source';
import { queryPrepared } from './prepared';

/**
 * Records message ids as handled by `consumer` in the caller's transaction and returns the ids
 * that were new; a redelivered message is not among them, so its handler changes nothing.
 */
export async function claimInInbox(tx: Tx, consumer: string, messageIds: string[]): Promise<Set<string>> {
  if (messageIds.length === 0) return new Set();
  const rows = await queryPrepared<{ message_id: string }>(
    tx,
    `INSERT INTO inbox (consumer, message_id) SELECT $1, unnest($2::uuid[])
     ON CONFLICT DO NOTHING RETURNING message_id`,
    [consumer, messageIds],
  );
  return new Set(rows.map((r) => r.message_id));
}

export async function purgeInbox(tx: Tx, olderThanDays: number): Promise<number> {
  const result: [unknown[], number] = await tx.query(
    `DELETE FROM inbox WHERE handled_at < now() - make_interval(days => $1)`,
    [olderThanDays],
  );
  return result[1];
}
