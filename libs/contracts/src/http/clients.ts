import { z } from 'zod';
import { typedName, storableString, uuid } from '../primitives';

export const clientIdParams = z.object({ id: uuid });
export const renameClientBody = z.strictObject({ name: typedName });
export type RenameClientBody = z.infer<typeof renameClientBody>;
export const clientNoteBody = z.strictObject({
  note: storableString.max(4000),
  /** The note as the editor found it: when a colleague has changed it since, 409 instead of overwriting theirs. */
  previous: storableString.max(4000).optional(),
});
export type ClientNoteBody = z.infer<typeof clientNoteBody>;
