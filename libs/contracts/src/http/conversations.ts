import { z } from 'zod';
import { conversationStatus, typedText, uuid } from '../primitives';
import { pageQuery } from './paging';

export const conversationTabs = ['unassigned', 'mine', 'closed', 'all', 'blacklist'] as const;
export const conversationTab = z.enum(conversationTabs);
export type ConversationTab = z.infer<typeof conversationTab>;

export const listConversationsQuery = pageQuery.extend({
  tab: conversationTab,
  groupId: uuid.optional(),
  operatorId: uuid.optional(),
  status: conversationStatus.optional(),
});
export type ListConversationsQuery = z.infer<typeof listConversationsQuery>;

export const listMessagesQuery = z.strictObject({
  before: z.string().min(1).max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type ListMessagesQuery = z.infer<typeof listMessagesQuery>;

/** D12: the log's latest movements, and older pages by `before` (its nextCursor). */
export const listLogQuery = z.strictObject({
  before: z.string().min(1).max(500).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});

/** A reply's text, or `resendOf`: a message of this conversation the channel did not deliver, sent again as a new one (its text or file). */
export const sendMessageBody = z
  .strictObject({ text: typedText.optional(), resendOf: uuid.optional() })
  .refine((b) => (b.text === undefined) !== (b.resendOf === undefined), { message: 'send text, or resendOf naming a message that was not delivered (not both)', path: ['text'] });

/** The Idempotency-Key header of a send (a message, a note, an outgoing conversation): a retry with it is the first send. */
export const idempotencyKey = z.string().min(1).max(200).optional();
export type SendMessageBody = z.infer<typeof sendMessageBody>;

export const conversationIdParams = z.object({ id: uuid });

export const assignBody = z.strictObject({ operatorId: uuid });
export type AssignBody = z.infer<typeof assignBody>;

export const changeGroupBody = z.strictObject({ groupId: uuid });
export type ChangeGroupBody = z.infer<typeof changeGroupBody>;

export const noteBody = z.strictObject({ text: typedText });
export type NoteBody = z.infer<typeof noteBody>;
