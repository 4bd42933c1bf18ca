import { z } from 'zod';
import { typedText, typedName, storableString } from '../primitives';

/** The widget's own id for a message it sends: the same id again is the same message. */
const clientMessageId = storableString.min(1).max(100);

export const webchatSessionBody = z.strictObject({ name: typedName });
export const webchatMessageBody = z.strictObject({
  text: typedText,
  clientMessageId,
});
export type WebchatMessageBody = z.infer<typeof webchatMessageBody>;

/** The fields beside the one `file` part of a multipart webchat message (D15): a caption, and the widget's id sent before the file. */
export const webchatUploadFields = z.strictObject({ text: typedText.optional(), clientMessageId: clientMessageId.optional() });
