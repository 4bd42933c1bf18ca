import type { DataSource } from 'typeorm';
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

/**
 * Forgets message ids handled more than `olderThanDays` ago, `batchSize` rows per statement so no
 * statement holds many locks or a long transaction; answers how many it forgot. A redelivery comes
 * within the retry delays, minutes at most, and a platform's late retry of a client message is
 * stopped by the message's unique external id, so a few days of ids are all the inbox must hold.
 */
export async function purgeInbox(db: Tx | DataSource, olderThanDays: number, batchSize = 10_000): Promise<number> {
  let purged = 0;
  for (;;) {
    const [, count]: [unknown[], number] = await db.query(
      `DELETE FROM inbox WHERE ctid = ANY (ARRAY (
         SELECT ctid FROM inbox WHERE handled_at < now() - make_interval(days => $1) LIMIT $2))`,
      [olderThanDays, batchSize],
    );
    purged += count;
    if (count < batchSize) return purged;
  }
}
