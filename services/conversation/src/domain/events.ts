import { clientKey, type ChannelType, type ConversationState } from '@relaydesk/contracts';
import { makeEnvelope, type AnyMessage } from '@relaydesk/bus';
import { stateOf, type ConversationRow } from '../store/conversation.repository';
import type { MessageRow } from '../store/message.repository';
import type { Decision } from './conversation-rules';

const source = 'conversation';

export function movedEvent(conv: Pick<ConversationRow, 'id' | 'clientId'>, from: ConversationState | undefined, d: Decision, actorId: string | null, at: string): AnyMessage {
  return makeEnvelope(
    `conversation.${d.action}`,
    { conversationId: conv.id, clientId: conv.clientId, action: d.action, actorId, from: from ? stateOf(from) : null, to: d.to, at },
    { source, partitionKey: conv.id },
  );
}

export function messageEvent(m: MessageRow, clientId: string, blocked = false): AnyMessage {
  return makeEnvelope(
    m.direction === 'in' ? 'message.received' : 'message.sent',
    { messageId: m.id, conversationId: m.conversationId, clientId, direction: m.direction, kind: m.kind, text: m.text, senderOperatorId: m.senderOperatorId, createdAt: m.createdAt, ...(blocked ? { blocked } : {}) },
    { source, partitionKey: m.conversationId },
  );
}

export function outboundEvent(m: MessageRow, conv: ConversationRow): AnyMessage {
  const channel = conv.channel as ChannelType;
  return makeEnvelope(
    `outbound.${channel}`,
    { messageId: m.id, channel, channelId: conv.channelId, externalClientId: conv.externalClientId, ...(m.text ? { text: m.text } : {}) },
    { source, partitionKey: clientKey({ channelId: conv.channelId, externalClientId: conv.externalClientId }) },
  );
}
