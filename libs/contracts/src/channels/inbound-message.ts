import { z } from 'zod';
import { channelType, isoTime, messageText, personName, storableString } from '../primitives';

export const attachmentRef = z
  .strictObject({
    url: z.url().optional(),
    storageKey: storableString.min(1).max(500).optional(),
    fileName: storableString.min(1).max(255),
    mimeType: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, 'must be a MIME type'),
    size: z.number().int().nonnegative(),
  })
  .refine((a) => a.url !== undefined || a.storageKey !== undefined, { message: 'needs url or storageKey' });
export type AttachmentRef = z.infer<typeof attachmentRef>;

/** A client's message as every channel hands it over (`inbound.<channel>` and POST /ingest/v1/messages). */
export const inboundMessage = z
  .strictObject({
    channel: channelType,
    channelId: z.uuid({ message: 'must be a UUID' }),
    externalClientId: storableString.min(1).max(200),
    clientName: personName,
    phone: z.string().regex(/^\+?[0-9]{5,20}$/, 'must be digits with an optional +').optional(),
    externalMessageId: storableString.min(1).max(200),
    sentAt: isoTime,
    text: messageText.optional(),
    attachment: attachmentRef.optional(),
  })
  .refine((m) => m.text !== undefined || m.attachment !== undefined, { message: 'needs text or attachment' });
export type InboundMessage = z.infer<typeof inboundMessage>;

export const clientKey = (m: Pick<InboundMessage, 'channelId' | 'externalClientId'>): string =>
  `${m.channelId}:${m.externalClientId}`;
