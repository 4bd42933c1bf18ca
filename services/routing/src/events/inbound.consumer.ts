import { Consumer, expectEach, isInbound, type Bus } from '@relaydesk/bus';
import { exchanges } from '@relaydesk/contracts';
import { routeMessage } from '../domain/route-message';
import type { ChannelRouteRepository } from '../store/channel-route.repository';

/**
 * Client messages from every channel, in order per client. Routing keeps no state per message, so
 * it publishes its decision with a confirm and acknowledges after: a crash in between republishes
 * the same event id, which the conversation service's inbox recognises.
 */
export function inboundConsumer(bus: Bus, routes: ChannelRouteRepository, partitions: number): Consumer {
  return new Consumer(bus, {
    name: 'routing.inbound',
    partitions,
    bindings: [{ exchange: exchanges.channels, pattern: 'inbound.*' }],
    async handle(messages) {
      const inbound = expectEach(messages, isInbound, 'routing.inbound');
      const channels = await routes.find(inbound.map((m) => m.payload.channelId));
      await bus.publish(inbound.map((m) => routeMessage(m, channels.get(m.payload.channelId))));
    },
  });
}
