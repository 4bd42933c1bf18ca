import type { CallerIdentity, ListCannedResponsesQuery } from '@relaydesk/contracts';
import { uuid } from '@relaydesk/contracts';
import type { Tx } from '@relaydesk/db';
import { AppError } from '@relaydesk/service-kit';
import { z } from 'zod';
import { listCannedResponses, type CannedResponseRow } from '../store/canned-response.repository';
import { likePrefix, lookupPrefix } from './canned-response-rules';

export type CannedPosition = { sortKey: string; id: string };

const position = z.tuple([z.string(), uuid, z.string()]);

/** Opaque keyset cursor: the last item's sort key and id, and the lookup it belongs to. */
export const encodeCannedCursor = (p: CannedPosition, prefix: string): string => Buffer.from(JSON.stringify([p.sortKey, p.id, prefix])).toString('base64url');

export function decodeCannedCursor(raw: string | undefined, prefix: string): CannedPosition | undefined {
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const cursor = position.safeParse(parsed);
  if (!cursor.success || cursor.data[2] !== prefix) {
    throw new AppError('validation_failed', 'Invalid cursor: use nextCursor from a previous page of this lookup', [{ path: 'cursor', message: 'not a cursor of this lookup' }]);
  }
  return { sortKey: cursor.data[0], id: cursor.data[1] };
}

/** D16: global canned responses and the caller's own, by title; `q` finds a prefix of the title or the text. */
export async function listCanned(tx: Tx, caller: CallerIdentity, q: ListCannedResponsesQuery): Promise<{ items: CannedResponseRow[]; nextCursor: string | null }> {
  const prefix = lookupPrefix(q.q);
  const rows = await listCannedResponses(tx, {
    ownerId: caller.operatorId,
    pattern: prefix ? likePrefix(prefix) : undefined,
    after: decodeCannedCursor(q.cursor, prefix),
    limit: q.limit + 1,
  });
  const items = rows.slice(0, q.limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > q.limit && last ? encodeCannedCursor(last, prefix) : null };
}
