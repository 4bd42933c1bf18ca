import { clientKey, type ChannelType, type ConversationState, type MessageDeliveryUpdated } from '@relaydesk/contracts';
import { makeEnvelope, type AnyMessage } from '@relaydesk/bus';
import type { Tx } from '@relaydesk/db';
import { bumpVersions, stateOf, type ConversationRow } from '../store/conversation.repository';
import type { MessageRow } from '../store/message.repository';
import { itemView, messageView } from '../http/views';
import type { Decision } from './conversation-rules';

const source = 'conversation';

export function movedEvent(conv: Pick<ConversationRow, 'id' | 'clientId'>, from: ConversationState | undefined, d: Decision, actorId: string | null, at: string): AnyMessage {
  return makeEnvelope(
    `conversation.${d.action}`,
    { conversationId: conv.id, clientId: conv.clientId, action: d.action, actorId, from: from ? stateOf(from) : null, to: stateOf(d.to), at },
    { source, partitionKey: conv.id },
  );
}

/** What a channel adapter (or search) needs of the file: the blob's key, or the connector's URL. */
const attachmentOf = ({ attachment: a }: MessageRow) =>
  a ? { attachment: { ...(a.storageKey ? { storageKey: a.storageKey } : { url: a.externalUrl! }), fileName: a.fileName, mimeType: a.mimeType, size: a.size } } : {};

export function messageEvent(m: MessageRow, clientId: string, blocked = false): AnyMessage {
  return makeEnvelope(
    m.direction === 'in' ? 'message.received' : 'message.sent',
    {
      messageId: m.id,
      conversationId: m.conversationId,
      clientId,
      direction: m.direction,
      kind: m.kind,
      text: m.text,
      senderOperatorId: m.senderOperatorId,
      createdAt: m.createdAt,
      ...attachmentOf(m),
      ...(blocked ? { blocked } : {}),
    },
    { source, partitionKey: m.conversationId },
  );
}

export function outboundEvent(m: MessageRow, conv: ConversationRow): AnyMessage {
  const channel = conv.channel as ChannelType;
  return makeEnvelope(
    `outbound.${channel}`,
    { messageId: m.id, channel, channelId: conv.channelId, externalClientId: conv.externalClientId, ...(m.text ? { text: m.text } : {}), ...attachmentOf(m) },
    { source, partitionKey: clientKey({ channelId: conv.channelId, externalClientId: conv.externalClientId }) },
  );
}

type Delivery = MessageDeliveryUpdated & { conversationId: string };
/** What a transaction did to the conversations it touched, beyond their new list items. */
export type ChangeDetails = { messages?: MessageRow[]; deliveries?: Delivery[]; actorId?: string };

/**
 * One `conversation.changed` per conversation a transaction touched: its list item as it is now,
 * with the messages the transaction added, for the counters and the live stream.
 */
export async function changedEvents(tx: Tx, conversationIds: Iterable<string>, details: ChangeDetails = {}): Promise<AnyMessage[]> {
  return changedEventsOf(await bumpVersions(tx, [...new Set(conversationIds)]), details);
}

/** changedEvents of rows whose change the caller has already counted (setStateCounted, updateCounted). */
export function changedEventsOf(rows: ConversationRow[], { messages = [], deliveries = [], actorId }: ChangeDetails = {}): AnyMessage[] {
  return rows.map((row) =>
    makeEnvelope(
      'conversation.changed',
      {
        version: row.version,
        item: itemView(row),
        messages: messages.filter((m) => m.conversationId === row.id).map(messageView),
        ...(deliveries.length ? { deliveries: deliveries.filter((d) => d.conversationId === row.id).map(({ messageId, status, at, error }) => ({ messageId, status, at, error })) } : {}),
        ...(actorId ? { actorId } : {}),
      },
      { source, partitionKey: row.id },
    ),
  );
}
