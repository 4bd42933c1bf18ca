import { z } from 'zod';
import { hasVisibleText, isoTime, storableString, uuid } from '../primitives';
import { pageQuery } from './paging';

/** D24: a tag's name as stored: NFC, trimmed, inner runs of white space made one space; compared case-insensitively. */
export const tagName = z
  .string()
  .transform((s) => s.normalize('NFC').trim().replace(/\s+/gu, ' '))
  .pipe(storableString.min(1, 'must not be empty or only spaces').max(50, 'must be at most 50 characters'))
  // Tags are never deleted (D24): one that shows nothing would sit in every picker for good.
  .refine((n) => n.length === 0 || hasVisibleText(n), 'must not be blank');

export const createTagBody = z.strictObject({ name: tagName });
export type CreateTagBody = z.infer<typeof createTagBody>;

/** Tags are never deleted (D24) and anyone may add one: the list pages, by name. */
export const listTagsQuery = pageQuery.extend({
  /** Tags whose name starts with this, case-insensitively (the picker's look-up). */
  prefix: storableString.max(50).optional(),
});

export const tagMessagesLimit = 500;

/** POST /conversations/:id/tags: one tag, by id or by name (created when new), on several messages. */
export const tagMessagesBody = z
  .strictObject({
    messageIds: z.array(uuid).min(1).max(tagMessagesLimit),
    tagId: uuid.optional(),
    tagName: tagName.optional(),
  })
  .refine((b) => (b.tagId === undefined) !== (b.tagName === undefined), { message: 'give either tagId or tagName, not both', path: ['tagId'] });
export type TagMessagesBody = z.infer<typeof tagMessagesBody>;

export const tagView = z.object({ id: uuid, name: z.string(), createdAt: isoTime });
export type TagView = z.infer<typeof tagView>;
