import { z } from 'zod';
import { typedText, personName, storableString } from '../primitives';

export const webchatSessionBody = z.strictObject({ name: personName });
export const webchatMessageBody = z.strictObject({
  text: typedText,
  clientMessageId: storableString.min(1).max(100),
});
export type WebchatMessageBody = z.infer<typeof webchatMessageBody>;
