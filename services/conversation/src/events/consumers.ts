import type { DataSource } from 'typeorm';
import { Consumer, expectEach, handleOnceInTransaction, isDelivery, isType, type Bus, type OutboxRelay } from '@relaydesk/bus';
import { exchanges } from '@relaydesk/contracts';
import { recordDeliveries } from '../domain/record-deliveries';
import { storeClientMessages } from '../domain/store-client-messages';

export function routedMessagesConsumer(bus: Bus, db: DataSource, relay: OutboxRelay, partitions: number): Consumer {
  const name = 'conversation.inbound';
  return new Consumer(bus, {
    name,
    partitions,
    bindings: [{ exchange: exchanges.events, pattern: 'message.routed' }],
    handle: handleOnceInTransaction(db, relay, name, (tx, messages, emit) => storeClientMessages(tx, expectEach(messages, isType('message.routed'), name), emit)),
  });
}

export function deliveryReportsConsumer(bus: Bus, db: DataSource, relay: OutboxRelay): Consumer {
  const name = 'conversation.delivery';
  return new Consumer(bus, {
    name,
    partitions: 2,
    bindings: [{ exchange: exchanges.channels, pattern: 'delivery.*' }],
    handle: handleOnceInTransaction(db, relay, name, (tx, messages, emit) => recordDeliveries(tx, expectEach(messages, isDelivery, name), emit)),
  });
}
