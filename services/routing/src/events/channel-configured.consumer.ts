import type { DataSource } from 'typeorm';
import { Consumer, handleOnceInTransaction, type Bus } from '@relaydesk/bus';
import { exchanges } from '@relaydesk/contracts';
import type { ChannelRouteRepository } from '../store/channel-route.repository';

export function channelConfiguredConsumer(bus: Bus, db: DataSource, routes: ChannelRouteRepository): Consumer {
  return new Consumer(bus, {
    name: 'routing.channels',
    bindings: [{ exchange: exchanges.events, pattern: 'channel.configured' }],
    handle: handleOnceInTransaction(db, undefined, 'routing.channels', async (tx, messages) => {
      for (const m of messages) {
        if (m.type === 'channel.configured') await routes.save(tx, { channelId: m.payload.channelId, groupId: m.payload.groupId, type: m.payload.type });
      }
    }),
  });
}
