import { z } from 'zod';
import { typedName, storableString, uuid } from '../primitives';

export const clientIdParams = z.object({ id: uuid });
export const renameClientBody = z.strictObject({ name: typedName });
export type RenameClientBody = z.infer<typeof renameClientBody>;
export const clientNoteBody = z.strictObject({ note: storableString.max(4000) });
export type ClientNoteBody = z.infer<typeof clientNoteBody>;
