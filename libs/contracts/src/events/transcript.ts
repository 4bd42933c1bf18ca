import { z } from 'zod';
import { channelType, isoTime, uuid } from '../primitives';
import { messageDirections, messageKinds } from './message-stored';

/** A file of a transcript's message: in our blob store (`storageKey`) or at a connector's `url`. */
export const transcriptAttachment = z.object({
  id: uuid,
  fileName: z.string(),
  mimeType: z.string(),
  size: z.number().int().min(0),
  storageKey: z.string().nullable(),
  url: z.string().nullable(),
});

export const transcriptMessage = z.object({
  id: uuid,
  createdAt: isoTime,
  direction: z.enum(messageDirections),
  kind: z.enum(messageKinds).exclude(['event']),
  text: z.string().nullable(),
  /** The client's name, or the operator's as the gateway named him when the mail was asked for. */
  sender: z.object({ type: z.enum(['client', 'operator']), name: z.string() }),
  attachment: transcriptAttachment.optional(),
  /** An operator's message the channel never delivered (D15 `failed`): the mail must not suggest the client read it. */
  notDelivered: z.literal(true).optional(),
});
export type TranscriptMessage = z.infer<typeof transcriptMessage>;

/**
 * D23 `transcript.requested`: everything the mail shows, as it was when it was asked for, so the
 * notification service never reads the conversation service's data.
 */
export const transcriptRequested = z.strictObject({
  transcriptId: uuid,
  conversationId: uuid,
  requestedBy: uuid,
  requestedAt: isoTime,
  to: z.array(z.string()).min(1),
  subject: z.string(),
  /** Times in the mail are shown in this IANA zone. */
  timeZone: z.string(),
  conversation: z.object({
    clientName: z.string(),
    channel: channelType,
    groupName: z.string(),
    assigneeName: z.string().nullable(),
  }),
  /** In conversation order (oldest first). */
  messages: z.array(transcriptMessage),
  /** Older messages of the conversation left out because a mail holds at most so many. */
  omittedMessages: z.number().int().min(0),
});
export type TranscriptRequested = z.infer<typeof transcriptRequested>;

/** The SMTP server took the mail (`transcript.sent`) or the notification service gave up (`transcript.failed`). */
export const transcriptOutcome = z.strictObject({
  transcriptId: uuid,
  conversationId: uuid,
  at: isoTime,
  /** `failed`: why, in words an operator can act on. */
  error: z.string().optional(),
  /** `sent`: the Message-ID header of the mail. */
  mailMessageId: z.string().optional(),
  /** `sent`: recipients the mail server refused while it took the mail for the others. */
  refusedRecipients: z.array(z.string().max(320)).max(10).optional(),
  attempts: z.number().int().min(1),
});
export type TranscriptOutcome = z.infer<typeof transcriptOutcome>;
