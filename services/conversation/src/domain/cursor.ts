import { AppError } from '@relaydesk/service-kit';

export type Cursor = { at: string; id: string };

/** Opaque keyset cursor: the sort time and id of the last item seen. */
export const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify([c.at, c.id])).toString('base64url');

export function decodeCursor(raw: string | undefined): Cursor | undefined {
  if (raw === undefined) return undefined;
  try {
    const [at, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown[];
    if (typeof at === 'string' && !Number.isNaN(Date.parse(at)) && typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id)) return { at, id };
  } catch {
    // falls through to the error below
  }
  throw new AppError('validation_failed', 'Invalid cursor: use nextCursor from a previous page', [{ path: 'cursor', message: 'not a cursor of this list' }]);
}
