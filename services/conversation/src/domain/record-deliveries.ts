import type { DeliveryEnvelope, Emit } from '@relaydesk/bus';
import { makeEnvelope } from '@relaydesk/bus';
import type { Tx } from '@relaydesk/db';
import type { ChannelType, MessageDeliveryUpdated } from '@relaydesk/contracts';
import { lockConversationsOfMessages } from '../store/conversation.repository';
import { recordDelivery } from '../store/message.repository';
import { changedEvents } from './events';

const channelOfDelivery = (type: DeliveryEnvelope['type']): ChannelType => type.slice('delivery.'.length) as ChannelType;

/**
 * D15: delivery statuses from channels, shown per message; reports by message id only here. A
 * report counts only for a message to a client of its own channel type: a connector, which may
 * publish only `delivery.api`, cannot mark a WhatsApp reply failed.
 */
export async function recordDeliveries(tx: Tx, reports: DeliveryEnvelope[], emit: Emit): Promise<void> {
  const updated: MessageDeliveryUpdated[] = [];
  await lockConversationsOfMessages(tx, reports.flatMap(({ payload }) => (payload.messageId ? [payload.messageId] : [])));
  for (const { type, payload } of reports) {
    if (!payload.messageId) continue; // reports by the platform's id are resolved by ingestion first
    const changed = await recordDelivery(tx, { messageId: payload.messageId, channel: channelOfDelivery(type), status: payload.status, at: payload.at, error: payload.error ?? null });
    if (!changed) continue;
    const update = { messageId: changed.id, conversationId: changed.conversationId, status: payload.status, at: payload.at, error: payload.error ?? null };
    updated.push(update);
    emit([makeEnvelope('message.delivery_updated', update, { source: 'conversation', partitionKey: changed.conversationId })]);
  }
  emit(await changedEvents(tx, updated.map((u) => u.conversationId), { deliveries: updated }));
}
