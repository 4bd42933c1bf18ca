import { z } from 'zod';
import { channelType, isoTime, messageText, personName, storableString } from '../primitives';

export const attachmentRef = z
  .strictObject({
    url: z.url({ protocol: /^https?$/, message: 'must be an http or https URL' }).optional(),
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

/**
 * What a connector may send (POST /ingest/v1/messages, `inbound.api`): its files by URL. A storage
 * key names a file in Relaydesk's own store, which only Relaydesk's adapters write.
 */
export const connectorMessage = inboundMessage.refine((m) => m.attachment?.storageKey === undefined, {
  message: 'a connector sends its files by url; storageKey names a file in Relaydesk’s own store',
  path: ['attachment', 'storageKey'],
});

export const clientKey = (m: Pick<InboundMessage, 'channelId' | 'externalClientId'>): string =>
  `${m.channelId}:${m.externalClientId}`;
