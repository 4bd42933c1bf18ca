import { setTimeout as sleep } from 'node:timers/promises';
import { buffer } from 'node:stream/consumers';
import type { DataSource } from 'typeorm';
import { BlobNotFoundError, type BlobStore } from '@relaydesk/blob-store';
import { derivedId, makeEnvelope, transactWithOutbox, type OutboxRelay } from '@relaydesk/bus';
import { ruleFor, type ChannelType, type DeliveryReport, type OutboundMessage } from '@relaydesk/contracts';
import { AppError } from '@relaydesk/service-kit';
import type { Channel, ChannelRepository } from '../store/channel.repository';
import type { OutboundDeliveryRepository } from '../store/outbound-delivery.repository';
import { SendFailure } from './platform-call';

export type OutboundFile = { bytes: Buffer; fileName: string; mimeType: string };

/** A platform's adapter: hands one operator message to the platform and answers the platform's id for it. */
export interface ChannelSender {
  send(channel: Channel, message: OutboundMessage, file: OutboundFile | undefined): Promise<{ externalMessageId: string }>;
}

export type DeliveryDeps = {
  db: DataSource;
  relay: OutboxRelay;
  blobs: BlobStore;
  channels: ChannelRepository;
  deliveries: OutboundDeliveryRepository;
  senders: Partial<Record<ChannelType, ChannelSender>>;
  /** How many times a message is tried, counting every redelivery, before it is `failed`. */
  maxAttempts: number;
};

/** Waits between tries within one attempt, when the platform names no wait of its own. */
const RETRY_IN_PLACE_MS = [500, 2_000];
/** The longest wait a 429's `retry_after` is honoured in place; a longer one goes back to the broker. */
const MAX_WAIT_IN_PLACE_MS = 60_000;

/**
 * Sends an operator's message through its channel's platform and reports the outcome on
 * `delivery.<channel>`. Passing failures are retried (in place, then by the broker's delay queues);
 * a permanent one, or the last attempt's, is reported `failed` with the platform's reason, so no
 * message disappears silently. A message already settled is not sent again.
 */
export async function deliverOutbound(deps: DeliveryDeps, message: OutboundMessage, partitionKey: string): Promise<void> {
  const claim = await deps.deliveries.claim(message.messageId, message.channelId);
  if (claim.status !== 'sending') return;
  try {
    const channel = await deps.channels.byId(message.channelId);
    const sender = channel && channel.type === message.channel ? deps.senders[channel.type] : undefined;
    if (!channel || !sender) throw new SendFailure('permanent', 'no_channel', `Channel ${message.channelId} does not send ${message.channel} messages (any more)`);
    if (!channel.enabled) throw new SendFailure('permanent', 'channel_disabled', `Channel ${channel.name} is disabled`);
    const file = await loadFile(deps.blobs, message);
    const { externalMessageId } = await sendTrying(() => sender.send(channel, message, file));
    await settle(deps, message, partitionKey, { status: 'sent', externalMessageId });
  } catch (error) {
    if (!(error instanceof SendFailure)) throw error;
    if (error.kind === 'retry' && claim.attempts < deps.maxAttempts) throw new AppError('unavailable', `${message.channel} did not take the message yet: ${error.message}`);
    const reason = error.kind === 'retry' ? `${error.title} (gave up after ${claim.attempts} attempts)` : error.title;
    await settle(deps, message, partitionKey, { status: 'failed', error: { code: error.code, title: reason } });
  }
}

async function sendTrying<R>(send: () => Promise<R>): Promise<R> {
  for (let tries = 0; ; tries++) {
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof SendFailure) || error.kind === 'permanent') throw error;
      const wait = error.retryAfterMs ?? RETRY_IN_PLACE_MS[tries];
      if (wait === undefined || wait > MAX_WAIT_IN_PLACE_MS || tries >= RETRY_IN_PLACE_MS.length) throw error;
      await sleep(wait);
    }
  }
}

/** The attachment's bytes, after checking the channel takes its type and size (D15). */
async function loadFile(blobs: BlobStore, message: OutboundMessage): Promise<OutboundFile | undefined> {
  const attachment = message.attachment;
  if (!attachment) return undefined;
  const rule = ruleFor(message.channel, attachment.mimeType);
  if (!rule) throw new SendFailure('permanent', 'file_type', `${message.channel} does not take files of type ${attachment.mimeType}`);
  if (attachment.size > rule.maxBytes) throw new SendFailure('permanent', 'file_size', `${message.channel} takes ${rule.kind} files up to ${rule.maxBytes / 1_000_000} MB`);
  if (!attachment.storageKey) throw new SendFailure('permanent', 'file_missing', 'The attachment has no stored file');
  try {
    const bytes = await buffer(await blobs.get(attachment.storageKey));
    return { bytes, fileName: attachment.fileName, mimeType: attachment.mimeType };
  } catch (error) {
    if (error instanceof BlobNotFoundError) throw new SendFailure('permanent', 'file_missing', 'The attachment is no longer stored');
    throw error;
  }
}

type Outcome = { status: 'sent'; externalMessageId: string } | { status: 'failed'; error: { code: string; title: string } };

async function settle(deps: DeliveryDeps, message: OutboundMessage, partitionKey: string, outcome: Outcome): Promise<void> {
  await transactWithOutbox(deps.db, deps.relay, async (tx, emit) => {
    await deps.deliveries.settle(tx, message.messageId, outcome.status === 'sent' ? outcome : { status: 'failed', reason: outcome.error.title });
    const report: DeliveryReport = { messageId: message.messageId, status: outcome.status, at: new Date().toISOString(), ...(outcome.status === 'failed' ? { error: outcome.error } : {}) };
    const early = outcome.status === 'sent' ? await deps.deliveries.takeEarlyStatuses(tx, message.channelId, outcome.externalMessageId) : [];
    emit(
      [report, ...early.map((r) => ({ ...r, messageId: message.messageId, externalMessageId: undefined }))].map((r) =>
        makeEnvelope(`delivery.${message.channel}`, r, { id: derivedId(message.messageId, `delivery/${r.status}`), source: 'ingestion', partitionKey }),
      ),
    );
  });
}
