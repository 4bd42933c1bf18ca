import { z } from 'zod';
import { typedText, typedName, storableString } from '../primitives';

export const webchatSessionBody = z.strictObject({ name: typedName });
export const webchatMessageBody = z.strictObject({
  text: typedText,
  clientMessageId: storableString.min(1).max(100),
});
export type WebchatMessageBody = z.infer<typeof webchatMessageBody>;
