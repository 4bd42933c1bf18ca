import { z } from 'zod';
import { conversationStatus, isoTime, uuid } from '../primitives';

export const conversationActions = [
  'created',
  'taken',
  'assigned',
  'group_changed',
  'unassigned',
  'closed',
  'reopened',
  'blacklisted',
  'unlocked',
  'pinned',
  'unpinned',
  'renamed',
] as const;
export const conversationAction = z.enum(conversationActions);
export type ConversationAction = z.infer<typeof conversationAction>;

export const conversationState = z.strictObject({
  status: conversationStatus,
  assigneeId: uuid.nullable(),
  groupId: uuid,
});
export type ConversationState = z.infer<typeof conversationState>;

/** One movement of a conversation (D12), published as `conversation.<action>`. */
export const conversationMoved = z.strictObject({
  conversationId: uuid,
  clientId: uuid,
  action: conversationAction,
  actorId: uuid.nullable(),
  from: conversationState.nullable(),
  to: conversationState,
  at: isoTime,
});
export type ConversationMoved = z.infer<typeof conversationMoved>;
