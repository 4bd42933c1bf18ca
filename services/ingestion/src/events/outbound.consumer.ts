import type { DataSource } from 'typeorm';
import { Consumer, expectEach, handleOnceInTransaction, isOutbound, makeEnvelope, type Bus, type OutboxRelay } from '@relaydesk/bus';
import { exchanges } from '@relaydesk/contracts';

/**
 * Delivers operators' messages to webchat visitors: the reply is kept for the visitor's widget and
 * reported `sent` in the same transaction, so a report exists exactly when the reply does.
 */
export function webchatOutboundConsumer(bus: Bus, db: DataSource, relay: OutboxRelay): Consumer {
  const name = 'ingestion.outbound.webchat';
  return new Consumer(bus, {
    name,
    partitions: 2,
    bindings: [{ exchange: exchanges.channels, pattern: 'outbound.webchat' }],
    handle: handleOnceInTransaction(db, relay, name, async (tx, messages, emit) => {
      for (const m of expectEach(messages, isOutbound, name)) {
        const { messageId, channelId, externalClientId, text, attachment } = m.payload;
        await tx.query(
          'INSERT INTO webchat_reply (message_id, channel_id, visitor_id, text, attachment) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
          [messageId, channelId, externalClientId, text ?? null, attachment ? JSON.stringify(attachment) : null],
        );
        emit([makeEnvelope('delivery.webchat', { messageId, status: 'sent', at: new Date().toISOString() }, { source: 'ingestion', partitionKey: m.partitionKey })]);
      }
    }),
  });
}
