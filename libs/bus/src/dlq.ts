import { randomUUID } from 'node:crypto';
import type { Bus } from './bus';
import { deadLetterQueue } from './topology';

export type ReplayResult = { replayed: number };

/**
 * Moves messages from `<consumer>.dlq` back to the consumer's entry exchange (so each returns to its
 * own partition), one at a time with a confirmed publish before the ack: none is lost on the way.
 */
export async function replayDeadLetters(bus: Bus, consumer: string, limit = Number.MAX_SAFE_INTEGER): Promise<ReplayResult> {
  return bus.withChannel(async (channel) => {
    const run = randomUUID();
    let replayed = 0;
    while (replayed < limit) {
      const message = await channel.get(deadLetterQueue(consumer), { noAck: false });
      if (!message) break;
      const { 'x-attempt': _attempt, ...headers } = message.properties.headers ?? {};
      if (headers['x-replay-run'] === run) {
        // It failed again after this run replayed it: leave it for a person to look at.
        channel.nack(message, false, true);
        break;
      }
      await bus.publishRaw([
        { exchange: consumer, routingKey: '', body: message.content, messageId: String(message.properties.messageId ?? ''), headers: { ...headers, 'x-replay-run': run } },
      ]);
      channel.ack(message);
      replayed++;
    }
    return { replayed };
  });
}

export type DeadLetter = { messageId: string; reason: string; body: string };

/** Reads (and returns to the queue) up to `limit` dead letters, for tests and operators' eyes. */
export async function peekDeadLetters(bus: Bus, consumer: string, limit = 100): Promise<DeadLetter[]> {
  return bus.withChannel(async (channel) => {
    const seen: DeadLetter[] = [];
    for (let i = 0; i < limit; i++) {
      const message = await channel.get(deadLetterQueue(consumer), { noAck: false });
      if (!message) break;
      seen.push({
        messageId: String(message.properties.messageId ?? ''),
        reason: String(message.properties.headers?.['x-dead-letter-reason'] ?? ''),
        body: message.content.toString('utf8'),
      });
    }
    return seen; // closing the channel returns every unacknowledged message to the queue
  });
}
