import { z } from 'zod';
import { channelType, messageText, uuid, type ChannelType } from '../primitives';

/** Decimal megabytes: a little under what a channel that counts in MiB allows, never over. */
const MB = 1_000_000;

export type AttachmentRule = { kind: 'image' | 'video' | 'audio' | 'document'; mimeTypes: readonly string[]; maxBytes: number };

const pdf = 'application/pdf';
const text = ['text/plain', 'text/csv'] as const;
const office = [
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
] as const;
const webImages = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;

/**
 * D15: what each channel takes, by type, and up to which size. WhatsApp Cloud API: images 5 MB
 * (JPEG, PNG), video and audio 16 MB, documents 100 MB. Telegram Bot API: bots upload up to 50 MB
 * (photos up to 10 MB). Webchat: our own widget, 10 MB. `api`: custom connectors, 25 MB.
 */
export const attachmentRules: Record<ChannelType, readonly AttachmentRule[]> = {
  whatsapp: [
    { kind: 'image', mimeTypes: ['image/jpeg', 'image/png'], maxBytes: 5 * MB },
    { kind: 'video', mimeTypes: ['video/mp4', 'video/3gpp'], maxBytes: 16 * MB },
    { kind: 'audio', mimeTypes: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'], maxBytes: 16 * MB },
    { kind: 'document', mimeTypes: [pdf, ...text, ...office], maxBytes: 100 * MB },
  ],
  telegram: [
    { kind: 'image', mimeTypes: webImages, maxBytes: 10 * MB },
    { kind: 'video', mimeTypes: ['video/mp4'], maxBytes: 50 * MB },
    { kind: 'audio', mimeTypes: ['audio/mpeg', 'audio/mp4', 'audio/ogg'], maxBytes: 50 * MB },
    { kind: 'document', mimeTypes: [pdf, ...text, ...office, 'application/zip'], maxBytes: 50 * MB },
  ],
  webchat: [
    { kind: 'image', mimeTypes: webImages, maxBytes: 10 * MB },
    { kind: 'document', mimeTypes: [pdf, ...text, ...office], maxBytes: 10 * MB },
  ],
  api: [
    { kind: 'image', mimeTypes: webImages, maxBytes: 25 * MB },
    { kind: 'video', mimeTypes: ['video/mp4', 'video/3gpp'], maxBytes: 25 * MB },
    { kind: 'audio', mimeTypes: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'], maxBytes: 25 * MB },
    { kind: 'document', mimeTypes: [pdf, ...text, ...office, 'application/zip'], maxBytes: 25 * MB },
  ],
};

export const ruleFor = (channel: ChannelType, mimeType: string): AttachmentRule | undefined =>
  attachmentRules[channel].find((r) => r.mimeTypes.includes(mimeType));

/** The most any file may have on `channel`: where an upload stops before its type is known. */
export const largestAttachment = (channel: ChannelType): number => Math.max(...attachmentRules[channel].map((r) => r.maxBytes));

export const mimeType = z.string().max(255).regex(/^[\w.+-]+\/[\w.+-]+$/, 'must be a MIME type');

/** A file the gateway has put in the blob store, as it hands it to the conversation service. */
export const storedAttachment = z.strictObject({
  storageKey: z.string().min(1).max(500),
  fileName: z.string().min(1).max(255),
  mimeType,
  size: z.number().int().positive(),
});
export type StoredAttachment = z.infer<typeof storedAttachment>;

/** The fields beside the one `file` part of a multipart POST /conversations/:id/messages (D15). */
export const uploadFields = z.strictObject({ text: messageText.optional() });

/** Gateway → conversation service: an operator's reply, text and/or an uploaded file. */
export const operatorMessageBody = z
  .strictObject({ text: messageText.optional(), attachment: storedAttachment.optional() })
  .refine((m) => m.text !== undefined || m.attachment !== undefined, { message: 'needs text or attachment', path: ['text'] });
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
