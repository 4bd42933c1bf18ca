import { Consumer, expectEach, isType, type Bus } from '@relaydesk/bus';
import { exchanges, type MessageTagged } from '@relaydesk/contracts';
import type { TaggedMessage, TaggedMessageRepository } from '../store/tagged-message.repository';

/**
 * Feeds the read model from the conversation service's `message.tagged`. No inbox: the table's key
 * (message, tag) makes a redelivered event change nothing, and the order of events does not matter.
 */
export function messageTaggedConsumer(bus: Bus, store: TaggedMessageRepository): Consumer {
  const name = 'analytics.tags';
  return new Consumer(bus, {
    name,
    bindings: [{ exchange: exchanges.events, pattern: 'message.tagged' }],
    handle: (messages) => store.add(expectEach(messages, isType('message.tagged'), name).flatMap((m) => taggedMessagesOf(m.payload))),
  });
}

const taggedMessagesOf = (event: MessageTagged): TaggedMessage[] =>
  event.messages.map((m) => ({
    messageId: m.id,
    tagId: event.tag.id,
    tagName: event.tag.name,
    createdAt: m.createdAt,
    taggedAt: event.taggedAt,
    conversationId: event.conversationId,
    clientName: event.clientName,
    channel: event.channel,
    groupId: event.groupId,
    assigneeId: event.assigneeId,
    taggedBy: event.taggedBy,
    direction: m.direction,
    kind: m.kind,
    text: m.text,
  }));
