import type { DataSource } from 'typeorm';
import { appendToOutbox, claimInInbox, type Tx } from '@relaydesk/db';
import { routeOf, type AnyMessage } from './envelope';
import type { HandleBatch } from './consumer';
import type { OutboxRelay } from './outbox-relay';

export type Emit = (messages: AnyMessage[]) => void;

/** Writes envelopes to the outbox of `tx`; the relay publishes them after the commit. */
export async function emitInTransaction(tx: Tx, messages: AnyMessage[]): Promise<void> {
  await appendToOutbox(
    tx,
    messages.map((m) => ({ ...routeOf(m), envelope: m })),
  );
}

/** Runs `work` in a transaction whose emitted events are written to the outbox before the commit. */
export async function transactWithOutbox<R>(
  dataSource: DataSource,
  relay: OutboxRelay | undefined,
  work: (tx: Tx, emit: Emit) => Promise<R>,
): Promise<R> {
  const result = await dataSource.transaction(async (tx) => {
    const emitted: AnyMessage[] = [];
    const value = await work(tx, (out) => emitted.push(...out));
    await emitInTransaction(tx, emitted);
    return value;
  });
  relay?.kick();
  return result;
}

/**
 * Wraps a handler so that each batch runs in one transaction which records the message ids in the
 * inbox, applies only the messages not seen before, and writes what they emit to the outbox.
 */
export function handleOnceInTransaction(
  dataSource: DataSource,
  relay: OutboxRelay | undefined,
  consumer: string,
  apply: (tx: Tx, messages: AnyMessage[], emit: Emit) => Promise<void>,
): HandleBatch {
  return (messages) =>
    transactWithOutbox(dataSource, relay, async (tx, emit) => {
      const fresh = await claimInInbox(tx, consumer, messages.map((m) => m.id));
      // A redelivery can land in the batch of its first delivery: each id is applied once.
      await apply(tx, messages.filter((m) => fresh.delete(m.id)), emit);
    });
}
