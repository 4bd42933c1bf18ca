import type { DataSource } from 'typeorm';
import { Consumer, expectEach, handleOnceInTransaction, isDelivery, isType, type AnyMessage, type Bus, type MessageOf, type OutboxRelay } from '@relaydesk/bus';
import { exchanges } from '@relaydesk/contracts';
import type { LiveState } from '@relaydesk/live';
import { recordDeliveries } from '../domain/record-deliveries';
import { storeClientMessages } from '../domain/store-client-messages';
import { recordTranscriptOutcome } from '../store/transcript.repository';

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

/** The entry exchange of `liveStateConsumer`: the outbox relay sends there what Redis refused. */
export const LIVE_STATE_CONSUMER = 'conversation.live';

/**
 * Applies to Redis (D14 counters, the stream the gateways push) the changes that the outbox relay
 * could not apply itself. It has no binding: it sees only what the relay sends it (ADR 9).
 */
export function liveStateConsumer(bus: Bus, live: LiveState): Consumer {
  const name = LIVE_STATE_CONSUMER;
  return new Consumer(bus, {
    name,
    partitions: 2,
    bindings: [],
    retiredBindings: [{ exchange: exchanges.events, pattern: 'conversation.changed' }],
    handle: (messages) => live.apply(expectEach(messages, isType('conversation.changed'), name).map((m) => m.payload)),
  });
}

/** D23: the notification service's word on a transcript, for GET /transcripts/:id. */
export function transcriptOutcomesConsumer(bus: Bus, db: DataSource): Consumer {
  const name = 'conversation.transcripts';
  const isOutcome = (m: AnyMessage): m is MessageOf<'transcript.sent' | 'transcript.failed'> => m.type === 'transcript.sent' || m.type === 'transcript.failed';
  return new Consumer(bus, {
    name,
    partitions: 1,
    bindings: [
      { exchange: exchanges.events, pattern: 'transcript.sent' },
      { exchange: exchanges.events, pattern: 'transcript.failed' },
    ],
    handle: (messages) =>
      db.transaction(async (tx) => {
        for (const m of expectEach(messages, isOutcome, name)) {
          const status = m.type === 'transcript.sent' ? 'sent' : 'failed';
          await recordTranscriptOutcome(tx, { id: m.payload.transcriptId, status, error: m.payload.error ?? null, at: m.payload.at, refusedRecipients: m.payload.refusedRecipients ?? [] });
        }
      }),
  });
}
