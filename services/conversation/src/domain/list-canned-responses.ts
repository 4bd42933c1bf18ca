import { storableString, type CallerIdentity, type ListCannedResponsesQuery } from '@relaydesk/contracts';
import type { Tx } from '@relaydesk/db';
import { listCannedResponses, type CannedResponseRow } from '../store/canned-response.repository';
import { likePrefix, lookupPrefix } from './canned-response-rules';
import { decodeCursor, encodeCursor } from '@relaydesk/service-kit';

/** Canned responses page by lower-cased title. */
export const sortKey = storableString.max(200);

/** D16: global canned responses and the caller's own, by title; `q` finds a prefix of the title or the text. */
export async function listCanned(tx: Tx, caller: CallerIdentity, q: ListCannedResponsesQuery): Promise<{ items: CannedResponseRow[]; nextCursor: string | null }> {
  const prefix = lookupPrefix(q.q);
  const rows = await listCannedResponses(tx, {
    ownerId: caller.operatorId,
    pattern: prefix ? likePrefix(prefix) : undefined,
    after: decodeCursor(q.cursor, prefix, { key: sortKey }),
    limit: q.limit + 1,
  });
  const items = rows.slice(0, q.limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > q.limit && last ? encodeCursor({ key: last.sortKey, id: last.id }, prefix) : null };
}
