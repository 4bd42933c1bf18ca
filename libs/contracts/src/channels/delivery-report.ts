import { z } from 'zod';
import { deliveryStatus, isoTime, uuid } from '../primitives';

/** A channel's word on an outbound message (`delivery.<channel>`). */
export const deliveryReport = z
  .strictObject({
    messageId: uuid.optional(),
    externalMessageId: z.string().min(1).max(200).optional(),
    status: deliveryStatus,
    at: isoTime,
    error: z.strictObject({ code: z.string().max(100), title: z.string().max(1000) }).optional(),
  })
  .refine((d) => d.messageId !== undefined || d.externalMessageId !== undefined, {
    message: 'needs messageId or externalMessageId',
  })
  .refine((d) => d.status !== 'failed' || d.error !== undefined, { message: 'a failed status needs an error' });
export type DeliveryReport = z.infer<typeof deliveryReport>;
