import { z } from 'zod';
import { isoTime, uuid } from '../primitives';
import { attachmentRef } from '../channels/inbound-message';

export const messageDirections = ['in', 'out'] as const;
export const messageKinds = ['text', 'file', 'note', 'event'] as const;

/** A message was stored in a conversation: `message.received` (client) or `message.sent` (operator). */
export const messageStored = z.strictObject({
  messageId: uuid,
  conversationId: uuid,
  clientId: uuid,
  direction: z.enum(messageDirections),
  kind: z.enum(messageKinds),
  text: z.string().nullable(),
  senderOperatorId: uuid.nullable(),
  createdAt: isoTime,
  /** The file of a `file` message, by its blob key or the connector's URL. */
  attachment: attachmentRef.optional(),
  /** D27: from a blacklisted client: stored and searchable, but pushed and counted for nobody. */
  blocked: z.boolean().optional(),
});
export type MessageStored = z.infer<typeof messageStored>;
