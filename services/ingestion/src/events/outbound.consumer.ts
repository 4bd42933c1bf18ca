import type { DataSource } from 'typeorm';
import { Consumer, expectEach, handleOnceInTransaction, isOutbound, makeEnvelope, type Bus, type OutboxRelay } from '@relaydesk/bus';
import { exchanges } from '@relaydesk/contracts';
import { webchatSwitch, saveWebchatReply } from '../store/webchat.repository';

/**
 * Delivers operators' messages to webchat visitors: the reply is kept for the visitor's widget and
 * reported `sent` in the same transaction, so a report exists exactly when the reply does; the
 * commit wakes the visitor's open widgets on every replica (see saveWebchatReply). A chat switched
 * off sends nothing, as the other channels: the reply is reported `failed`.
 */
export function webchatOutboundConsumer(bus: Bus, db: DataSource, relay: OutboxRelay): Consumer {
  const name = 'ingestion.outbound.webchat';
  return new Consumer(bus, {
    name,
    partitions: 2,
    bindings: [{ exchange: exchanges.channels, pattern: 'outbound.webchat' }],
    handle: handleOnceInTransaction(db, relay, name, async (tx, messages, emit) => {
      for (const m of expectEach(messages, isOutbound, name)) {
        const channel = await webchatSwitch(tx, m.payload.channelId);
        const at = new Date().toISOString();
        if (!channel?.enabled) {
          const error = channel ? { code: 'channel_disabled', title: `Channel ${channel.name} is disabled` } : { code: 'no_channel', title: `Channel ${m.payload.channelId} does not send webchat messages (any more)` };
          emit([makeEnvelope('delivery.webchat', { messageId: m.payload.messageId, status: 'failed', at, error }, { source: 'ingestion', partitionKey: m.partitionKey })]);
          continue;
        }
        await saveWebchatReply(tx, m.payload);
        emit([makeEnvelope('delivery.webchat', { messageId: m.payload.messageId, status: 'sent', at }, { source: 'ingestion', partitionKey: m.partitionKey })]);
      }
    }),
  });
}
