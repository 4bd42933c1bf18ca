import { z } from 'zod';
import { messageText, personName } from '../primitives';

export const webchatSessionBody = z.strictObject({ name: personName });
export const webchatMessageBody = z.strictObject({
  text: messageText,
  clientMessageId: z.string().min(1).max(100),
});
export type WebchatMessageBody = z.infer<typeof webchatMessageBody>;
