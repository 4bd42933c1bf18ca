import type { Redis } from 'ioredis';
import { derivedId, makeEnvelope, type Bus } from '@relaydesk/bus';
import { clientKey, type InboundMessage } from '@relaydesk/contracts';

const SEEN_SECONDS = 24 * 3600;

/** The id a client message gets on the bus: the same channel message id, the same id. */
export const inboundIdOf = (m: Pick<InboundMessage, 'channelId' | 'externalMessageId'>): string => derivedId(`${m.channelId}/${m.externalMessageId}`, 'inbound');

/**
 * Puts a client message on the bus and answers once the broker has confirmed it. Its envelope id
 * derives from the channel's message id, so a redelivered webhook yields the same event and is
 * stored once downstream; Redis remembers recent ids so most repeats stop here.
 */
export async function acceptInbound(bus: Bus, redis: Redis, m: InboundMessage): Promise<{ id: string; duplicate: boolean }> {
  const id = inboundIdOf(m);
  const seenKey = `inbound-seen:${id}`;
  if (await redis.exists(seenKey)) return { id, duplicate: true };
  await bus.publish([makeEnvelope(`inbound.${m.channel}`, m, { id, source: 'ingestion', partitionKey: clientKey(m) })]);
  // Only a shortcut for later repeats: not worth the caller's wait, and harmless if lost.
  redis.set(seenKey, '1', 'EX', SEEN_SECONDS).catch(() => undefined);
  return { id, duplicate: false };
}
