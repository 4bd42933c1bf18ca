import type { Channel } from 'amqplib';
import { exchanges } from '@relaydesk/contracts';

export type Binding = { exchange: string; pattern: string };

export type QueueTopology = {
  /** Consumer name, also the name of its entry exchange and the stem of its queues. */
  name: string;
  bindings: Binding[];
  /** Bindings to remove (RabbitMQ answers an unbind of a missing binding with ok). */
  retiredBindings?: Binding[];
  /** How many ordered partitions (queues with a single active consumer) the consumer has. */
  partitions: number;
  retryDelaysMs: number[];
};

export const PARTITION_HEADER = 'partition-key';
export const REASON_HEADER = 'x-dead-letter-reason';

export const partitionQueue = (name: string, index: number): string => `${name}.p${index}`;
export const retryQueue = (name: string, delayMs: number): string => `${name}.retry.${delayMs}ms`;
export const deadLetterQueue = (name: string): string => `${name}.dlq`;

export async function declareExchanges(ch: Channel): Promise<void> {
  await ch.assertExchange(exchanges.events, 'topic', { durable: true });
  await ch.assertExchange(exchanges.channels, 'topic', { durable: true });
}

/**
 * The shape of one consumer on the broker:
 *   events/channels --(patterns)--> <name> (consistent hash on the partition-key header)
 *     --> <name>.p0 … <name>.pN-1  durable quorum queues, single active consumer each
 *   <name>.retry.<d>ms  classic queues whose TTL sends a failed message back to <name>
 *   <name>.dlq          quorum queue of messages that cannot be handled, each with its reason
 * A message of one partition key always lands in the same partition, so it is handled in order (save one sent to a delay queue, which comes back after later ones: ADR 2).
 */
export async function declareConsumerTopology(ch: Channel, t: QueueTopology): Promise<void> {
  await declareExchanges(ch);
  await ch.assertExchange(t.name, 'x-consistent-hash', { durable: true, arguments: { 'hash-header': PARTITION_HEADER } });
  for (const b of t.bindings) await ch.bindExchange(t.name, b.exchange, b.pattern);
  for (const b of t.retiredBindings ?? []) await ch.unbindExchange(t.name, b.exchange, b.pattern);
  const dlq = deadLetterQueue(t.name);
  await ch.assertQueue(dlq, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  for (let i = 0; i < t.partitions; i++) {
    const queue = partitionQueue(t.name, i);
    await ch.assertQueue(queue, {
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-single-active-consumer': true,
        // A last guard: a message redelivered this often (a consumer crashing on it) goes to the DLQ.
        'x-delivery-limit': 20,
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': dlq,
      },
    });
    await ch.bindQueue(queue, t.name, '1');
  }
  for (const delay of t.retryDelaysMs) {
    await ch.assertQueue(retryQueue(t.name, delay), {
      durable: true,
      arguments: { 'x-message-ttl': delay, 'x-dead-letter-exchange': t.name },
    });
  }
}
