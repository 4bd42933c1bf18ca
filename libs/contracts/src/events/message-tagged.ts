import { z } from 'zod';
import { channelType, isoTime, uuid } from '../primitives';
import { messageDirections, messageKinds } from './message-stored';

/**
 * D24 `message.tagged`: one tag put on messages of one conversation by one request, naming only
 * the messages that did not carry it yet, with the facts tag analytics counts by (D25).
 */
export const messageTagged = z.strictObject({
  tag: z.object({ id: uuid, name: z.string() }),
  conversationId: uuid,
  clientId: uuid,
  clientName: z.string(),
  channel: channelType,
  groupId: uuid,
  /** Who had the conversation when it was tagged. */
  assigneeId: uuid.nullable(),
  taggedBy: uuid,
  taggedAt: isoTime,
  messages: z
    .array(
      z.object({
        id: uuid,
        createdAt: isoTime,
        direction: z.enum(messageDirections),
        kind: z.enum(messageKinds),
        text: z.string().nullable(),
      }),
    )
    .min(1),
});
export type MessageTagged = z.infer<typeof messageTagged>;
