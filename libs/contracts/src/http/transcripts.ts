import { z } from 'zod';
import { isoTime, storableString, timeZone, uuid } from '../primitives';

export const transcriptLimits = { recipients: 10, messageIds: 1000, wholeConversation: 2000 } as const;

const address = z.email({ message: 'must be an email address' });

/** D23: POST /conversations/:id/transcript. A subject is one line: CR or LF would forge mail headers. */
export const transcriptBody = z.strictObject({
  to: z.union([address, z.array(address).min(1).max(transcriptLimits.recipients)]),
  subject: storableString
    .trim()
    .min(1, 'must not be empty')
    .max(200)
    .refine((s) => !/\p{Cc}/u.test(s), 'must be one line: no line breaks or control characters'),
  /** Only these messages, in conversation order; the whole conversation when absent. */
  messageIds: z.array(uuid).min(1).max(transcriptLimits.messageIds).optional(),
  /** How the mail shows times. */
  timeZone: timeZone.default('UTC'),
  /** D18 notes are left out unless asked for. */
  includeNotes: z.boolean().default(false),
});
export type TranscriptBody = z.infer<typeof transcriptBody>;

export const transcriptStatuses = ['queued', 'sent', 'failed'] as const;

/** GET /transcripts/:id and the 202 answer of the POST. */
export const transcriptView = z.object({
  id: uuid,
  conversationId: uuid,
  status: z.enum(transcriptStatuses),
  error: z.string().optional(),
  requestedAt: isoTime,
  finishedAt: isoTime.optional(),
  /** `sent`: recipients the mail server refused while it took the mail for the others. */
  refusedRecipients: z.array(z.string()).optional(),
});
export type TranscriptView = z.infer<typeof transcriptView>;

/**
 * What the gateway forwards to the conversation service: the public body with the names of the
 * people and groups it owns, so the mail can name them (the conversation service knows only ids).
 */
export const namedTranscriptBody = transcriptBody.extend({
  names: z.strictObject({ operators: z.record(uuid, z.string()), groups: z.record(uuid, z.string()) }),
});
export type NamedTranscriptBody = z.infer<typeof namedTranscriptBody>;
