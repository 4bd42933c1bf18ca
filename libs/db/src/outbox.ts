import type { Tx } from './data-source';
import { queryPrepared } from './prepared';

export type OutboxRow = { id: string; exchange: string; routingKey: string; envelope: unknown };
export type OutboxEntry = { exchange: string; routingKey: string; envelope: unknown };

/** Writes events in the caller's transaction: they exist exactly when the change they describe does. */
export async function appendToOutbox(tx: Tx, entries: OutboxEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await queryPrepared(
    tx,
    `INSERT INTO outbox (exchange, routing_key, envelope)
     SELECT exchange, routing_key, envelope FROM unnest($1::text[], $2::text[], $3::jsonb[]) WITH ORDINALITY AS e(exchange, routing_key, envelope, n) ORDER BY n`,
    [entries.map((e) => e.exchange), entries.map((e) => e.routingKey), entries.map((e) => JSON.stringify(e.envelope))],
  );
}

/**
 * Deletes the rows the caller has published (`published`) and reads the next ones in id order, in
 * one round trip: a relay removes what the broker confirmed with its next read, not on its own.
 */
export async function takeNextFromOutbox(tx: Tx, published: string[], limit: number): Promise<OutboxRow[]> {
  const rows = await queryPrepared<{ id: string; exchange: string; routing_key: string; envelope: unknown }>(
    tx,
    `WITH published AS (DELETE FROM outbox WHERE id = ANY($1::bigint[]))
     SELECT id, exchange, routing_key, envelope FROM outbox WHERE id <> ALL($1::bigint[]) ORDER BY id LIMIT $2`,
    [published, limit],
  );
  return rows.map((r) => ({ id: r.id, exchange: r.exchange, routingKey: r.routing_key, envelope: r.envelope }));
}

export async function removeFromOutbox(tx: Tx, ids: string[]): Promise<void> {
  if (ids.length > 0) await tx.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [ids]);
}
