import { z } from 'zod';
import { isoTime, storableString, uuid } from '../primitives';
import { pageQuery } from './paging';

/** Characters as a person (and PostgreSQL's char_length) counts them: an emoji is one. */
const charCount = (s: string): number => [...s].length;
const atMost = (max: number) => (s: z.ZodString) => s.refine((v) => charCount(v) <= max, `must be at most ${max} characters`).meta({ maxLength: max });

export const cannedScopes = ['global', 'personal'] as const;
export const cannedScope = z.enum(cannedScopes);
export type CannedScope = z.infer<typeof cannedScope>;

/** D16: the topic the lookup finds it by; trimmed. */
export const cannedTitle = atMost(100)(storableString.trim().min(1, 'must not be blank'));
/** D16, D20: any Unicode, kept exactly as typed. */
export const cannedText = atMost(4000)(storableString.refine((v) => v.trim().length > 0, 'must not be blank')).meta({ minLength: 1 });

export const createCannedResponseBody = z.strictObject({ title: cannedTitle, text: cannedText });
export type CreateCannedResponseBody = z.infer<typeof createCannedResponseBody>;

export const patchCannedResponseBody = z
  .strictObject({ title: cannedTitle, text: cannedText })
  .partial()
  .refine((b) => b.title !== undefined || b.text !== undefined, { message: 'names no field to change: give title, text or both' });
export type PatchCannedResponseBody = z.infer<typeof patchCannedResponseBody>;

export const listCannedResponsesQuery = pageQuery.extend({
  /** What follows the `/` or `\` the operator typed (one leading `/` or `\` is ignored): a prefix of the title or text. */
  q: atMost(100)(storableString).optional(),
});
export type ListCannedResponsesQuery = z.infer<typeof listCannedResponsesQuery>;

export const cannedResponseIdParams = z.object({ id: uuid });

export const cannedResponseView = z.object({
  id: uuid,
  title: z.string(),
  text: z.string(),
  scope: cannedScope,
  ownerId: uuid,
  createdAt: isoTime,
  updatedAt: isoTime,
});
export type CannedResponseView = z.infer<typeof cannedResponseView>;
