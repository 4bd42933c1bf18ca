import { Consumer, expectEach, isOutbound, type Bus } from '@relaydesk/bus';
import { exchanges, type ChannelType } from '@relaydesk/contracts';
import { deliverOutbound, type DeliveryDeps } from '../domain/deliver-outbound';

/**
 * Hands operators' messages to the platforms that have a sender. A batch is sent one message at a
 * time in order, so a client reads the replies in the order they were written.
 */
export function platformOutboundConsumer(bus: Bus, deps: DeliveryDeps, retryDelaysMs: number[]): Consumer {
  const name = 'ingestion.outbound.platforms';
  const channels = Object.keys(deps.senders) as ChannelType[];
  return new Consumer(bus, {
    name,
    partitions: 2,
    prefetch: 20,
    retryDelaysMs,
    // deliverOutbound tries again in place itself; the consumer's own quick re-runs would each
    // count as an attempt and spend them all before the first retry delay.
    inPlaceRetryDelaysMs: [],
    bindings: channels.map((channel) => ({ exchange: exchanges.channels, pattern: `outbound.${channel}` })),
    handle: async (messages) => {
      for (const m of expectEach(messages, isOutbound, name)) await deliverOutbound(deps, m.payload, m.partitionKey);
    },
  });
}
