import type { DataSource } from 'typeorm';
import { Consumer, expectEach, handleOnceInTransaction, isOutbound, makeEnvelope, type Bus, type OutboxRelay } from '@relaydesk/bus';
import { exchanges } from '@relaydesk/contracts';
import { saveWebchatReply } from '../store/webchat.repository';

/**
 * Delivers operators' messages to webchat visitors: the reply is kept for the visitor's widget and
 * reported `sent` in the same transaction, so a report exists exactly when the reply does; the
 * commit wakes the visitor's open widgets on every replica (see saveWebchatReply).
 */
export function webchatOutboundConsumer(bus: Bus, db: DataSource, relay: OutboxRelay): Consumer {
  const name = 'ingestion.outbound.webchat';
  return new Consumer(bus, {
    name,
    partitions: 2,
    bindings: [{ exchange: exchanges.channels, pattern: 'outbound.webchat' }],
    handle: handleOnceInTransaction(db, relay, name, async (tx, messages, emit) => {
      for (const m of expectEach(messages, isOutbound, name)) {
        await saveWebchatReply(tx, m.payload);
        emit([makeEnvelope('delivery.webchat', { messageId: m.payload.messageId, status: 'sent', at: new Date().toISOString() }, { source: 'ingestion', partitionKey: m.partitionKey })]);
      }
    }),
  });
}
