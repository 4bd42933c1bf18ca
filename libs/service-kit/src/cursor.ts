import { isoTime, uuid } from '@relaydesk/contracts';
import { AppError } from './errors';
import { z } from 'zod';

/** Where a keyset page ended: the last item's sort key (a time, a title) and its id. */
export type Cursor = { key: string; id: string };

/**
 * Opaque cursor: the position, and the list it belongs to (tab and filters, a lookup, a
 * conversation), so a cursor of one list is refused by another.
 */
export const encodeCursor = (c: Cursor, list: string): string => Buffer.from(JSON.stringify([c.key, c.id, list])).toString('base64url');

export function decodeCursor(
  raw: string | undefined,
  list: string,
  { field = 'cursor', key = isoTime }: { field?: string; key?: z.ZodType<string> } = {},
): Cursor | undefined {
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const cursor = z.tuple([key, uuid, z.string()]).safeParse(parsed);
  if (!cursor.success || cursor.data[2] !== list) {
    throw new AppError('validation_failed', `Invalid ${field}: use nextCursor from a previous page of this list`, [{ path: field, message: 'not a cursor of this list' }]);
  }
  return { key: cursor.data[0], id: cursor.data[1] };
}
