import { z } from 'zod';
import { deliveryStatus, isoTime, uuid } from '../primitives';

export const messageDeliveryUpdated = z.strictObject({
  messageId: uuid,
  conversationId: uuid,
  status: deliveryStatus,
  at: isoTime,
  error: z.strictObject({ code: z.string(), title: z.string() }).nullable(),
});
export type MessageDeliveryUpdated = z.infer<typeof messageDeliveryUpdated>;
