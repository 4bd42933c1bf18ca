import { z } from 'zod';
import { channelType, typedText, storableString, uuid } from '../primitives';

export const mimeType = z.string().max(255).regex(/^[\w.+-]+\/[\w.+-]+$/, 'must be a MIME type');

/** A file the gateway has put in the blob store, as it hands it to the conversation service. */
export const storedAttachment = z.strictObject({
  storageKey: z.string().min(1).max(500),
  fileName: storableString.min(1).max(255),
  mimeType,
  size: z.number().int().positive(),
});
export type StoredAttachment = z.infer<typeof storedAttachment>;

/** The fields beside the one `file` part of a multipart POST /conversations/:id/messages (D15). */
export const uploadFields = z.strictObject({ text: typedText.optional() });

/** Gateway → conversation service: an operator's reply, text and/or an uploaded file, or `resendOf` alone (sendMessageBody). */
export const operatorMessageBody = z
  .strictObject({ text: typedText.optional(), attachment: storedAttachment.optional(), resendOf: uuid.optional() })
  .refine((m) => (m.resendOf === undefined ? m.text !== undefined || m.attachment !== undefined : m.text === undefined && m.attachment === undefined), {
    message: 'needs text or attachment, or resendOf alone',
    path: ['text'],
  });
export type OperatorMessageBody = z.infer<typeof operatorMessageBody>;

/** Conversation service → gateway, before an upload is stored: the caller may reply, through this channel. */
export const replyCheck = z.strictObject({ channel: channelType, replay: z.boolean() });
export type ReplyCheck = z.infer<typeof replyCheck>;

/** Conversation service → gateway: where the bytes of an attachment the caller may see are. */
export const attachmentLocation = z.strictObject({
  id: uuid,
  conversationId: uuid,
  storageKey: z.string().nullable(),
  externalUrl: z.string().nullable(),
  fileName: z.string(),
  mimeType: z.string(),
  size: z.number().int().nonnegative(),
});
export type AttachmentLocation = z.infer<typeof attachmentLocation>;

/** Gateway → conversation service, sweeping uploads whose send never answered (ADR 8): which of these blobs do messages hold? */
export const heldAttachmentsBody = z.strictObject({ storageKeys: z.array(z.string().min(1).max(500)).min(1).max(200) });
export const heldAttachmentsAnswer = z.strictObject({ held: z.array(z.string()) });
export type HeldAttachmentsAnswer = z.infer<typeof heldAttachmentsAnswer>;
