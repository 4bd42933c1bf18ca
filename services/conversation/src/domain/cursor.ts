import { isoTime, uuid } from '@relaydesk/contracts';
import { AppError } from '@relaydesk/service-kit';
import { z } from 'zod';

export type Cursor = { at: string; id: string };

const position = z.tuple([isoTime, uuid, z.string()]);

/**
 * Opaque keyset cursor: the sort time and id of the last item seen, and the list it belongs to
 * (tab and filters), so a cursor of one list is refused by another.
 */
export const encodeCursor = (c: Cursor, list: string): string => Buffer.from(JSON.stringify([c.at, c.id, list])).toString('base64url');

export function decodeCursor(raw: string | undefined, list: string, field = 'cursor'): Cursor | undefined {
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const cursor = position.safeParse(parsed);
  if (!cursor.success || cursor.data[2] !== list) {
    throw new AppError('validation_failed', `Invalid ${field}: use nextCursor from a previous page of this list`, [{ path: field, message: 'not a cursor of this list' }]);
  }
  return { at: cursor.data[0], id: cursor.data[1] };
}
