import type { Tx } from './data-source';

export type OutboxRow = { id: string; exchange: string; routingKey: string; envelope: unknown };
export type OutboxEntry = { exchange: string; routingKey: string; envelope: unknown };

/** Writes events in the caller's transaction: they exist exactly when the change they describe does. */
export async function appendToOutbox(tx: Tx, entries: OutboxEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const params: unknown[] = [];
  const rows = entries.map((e, i) => {
    params.push(e.exchange, e.routingKey, JSON.stringify(e.envelope));
    return `($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3}::jsonb)`;
  });
  await tx.query(`INSERT INTO outbox (exchange, routing_key, envelope) VALUES ${rows.join(', ')}`, params);
}

/**
 * Deletes the rows the caller has published (`published`) and reads the next ones in id order, in
 * one round trip: a relay removes what the broker confirmed with its next read, not on its own.
 */
export async function takeNextFromOutbox(tx: Tx, published: string[], limit: number): Promise<OutboxRow[]> {
  const rows: { id: string; exchange: string; routing_key: string; envelope: unknown }[] = await tx.query(
    `WITH published AS (DELETE FROM outbox WHERE id = ANY($1::bigint[]))
     SELECT id, exchange, routing_key, envelope FROM outbox WHERE id <> ALL($1::bigint[]) ORDER BY id LIMIT $2`,
    [published, limit],
  );
  return rows.map((r) => ({ id: r.id, exchange: r.exchange, routingKey: r.routing_key, envelope: r.envelope }));
}

export async function removeFromOutbox(tx: Tx, ids: string[]): Promise<void> {
  if (ids.length > 0) await tx.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [ids]);
}
