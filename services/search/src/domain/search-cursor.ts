import { createHash } from 'node:crypto';
import { decodeCursor, encodeCursor } from '@relaydesk/service-kit';
import type { SearchPosition } from '../store/search-engine';

/** The query a cursor belongs to, by its folded words: a cursor of another query is refused. */
const queryHash = (words: string[]): string => createHash('sha256').update(JSON.stringify(words)).digest('base64url').slice(0, 16);

/** Opaque: base64url of the last hit's position and the query's hash. */
export const encodeSearchCursor = (position: SearchPosition, words: string[]): string => encodeCursor({ key: position.at, id: position.conversationId }, queryHash(words));

export function decodeSearchCursor(raw: string | undefined, words: string[]): SearchPosition | undefined {
  const cursor = decodeCursor(raw, queryHash(words));
  return cursor && { at: cursor.key, conversationId: cursor.id };
}
