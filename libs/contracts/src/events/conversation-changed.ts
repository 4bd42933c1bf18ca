import { z } from 'zod';
import { channelType, conversationStatus, isoTime, uuid } from '../primitives';
import { messageDeliveryUpdated } from './message-delivery-updated';
import { messageDirections, messageKinds } from './message-stored';

const idOnly = z.object({ id: uuid });

/** A conversation as the lists show it (D13), with ids where the gateway adds names. */
export const conversationListItem = z.object({
  id: uuid,
  client: z.object({ id: uuid, name: z.string(), channel: channelType, blacklisted: z.boolean() }),
  pin: z.object({ operatorId: uuid }).nullable(),
  lastMessageByOperator: z.boolean(),
  assignee: idOnly.nullable(),
  unreadCount: z.number().int().min(0),
  group: idOnly,
  status: conversationStatus,
  listedAt: isoTime,
  lastMessage: z.object({ text: z.string().nullable(), at: isoTime, direction: z.enum(messageDirections) }).nullable(),
});
export type ConversationListItem = z.infer<typeof conversationListItem>;

/** A message of a conversation's history as operators see it. */
export const conversationMessageItem = z.object({
  id: uuid,
  direction: z.enum(messageDirections),
  kind: z.enum(messageKinds),
  text: z.string().nullable(),
  sender: z.object({ type: z.enum(['client', 'operator']), id: uuid.optional() }),
  createdAt: isoTime,
});
export type ConversationMessageItem = z.infer<typeof conversationMessageItem>;

/**
 * `conversation.changed`: what a conversation's list item is after a transaction, with the
 * messages that transaction added. `version` grows with every change of the conversation, so a
 * projection keeps the newest and ignores repeats and stragglers.
 */
export const conversationChanged = z.strictObject({
  version: z.number().int().positive(),
  item: conversationListItem,
  messages: z.array(conversationMessageItem.loose()),
  /** D15: delivery statuses of earlier messages that changed in this transaction. */
  deliveries: z.array(messageDeliveryUpdated.omit({ conversationId: true })).optional(),
  /** The operator whose request made the change; absent when a client, a platform or the system did. */
  actorId: uuid.optional(),
});
export type ConversationChanged = z.infer<typeof conversationChanged>;
