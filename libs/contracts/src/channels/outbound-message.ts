import { z } from 'zod';
import { channelType, messageText, uuid } from '../primitives';
import { attachmentRef } from './inbound-message';

/** An operator's message for a channel to deliver (`outbound.<channel>`). */
export const outboundMessage = z
  .strictObject({
    messageId: uuid,
    channel: channelType,
    channelId: uuid,
    externalClientId: z.string().min(1).max(200),
    text: messageText.optional(),
    attachment: attachmentRef.optional(),
  })
  .refine((m) => m.text !== undefined || m.attachment !== undefined, { message: 'needs text or attachment' });
export type OutboundMessage = z.infer<typeof outboundMessage>;
