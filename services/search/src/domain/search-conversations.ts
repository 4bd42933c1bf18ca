import type { CallerIdentity } from '@relaydesk/contracts';
import type { SearchEngine, SearchHit } from '../store/search-engine';
import { audienceOf } from './audience';
import { highlight, type Range } from './highlight';
import { decodeSearchCursor, encodeSearchCursor } from './search-cursor';
import { queryWords } from './search-query';

export type FoundConversation = {
  conversation: SearchHit['conversation'];
  nameHighlight: Range[];
  messageCount: number;
  matches: { messageId: string; kind: SearchHit['messages'][number]['kind']; text: string; createdAt: string; highlight: Range[] }[];
};

export type SearchPage = { items: FoundConversation[]; nextCursor: string | null };

/** D26: the conversations the caller may open whose client name or messages hold every query word. */
export async function searchConversations(
  engine: SearchEngine,
  caller: CallerIdentity,
  request: { q: string; limit: number; cursor?: string },
): Promise<SearchPage> {
  const words = queryWords(request.q);
  const after = decodeSearchCursor(request.cursor, words);
  if (words.length === 0) return { items: [], nextCursor: null };
  const hits = await engine.search({ words, audience: audienceOf(caller), limit: request.limit + 1, ...(after ? { after } : {}) });
  const page = hits.slice(0, request.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((hit) => ({
      conversation: hit.conversation,
      nameHighlight: hit.nameMatched ? highlight(hit.conversation.client.name, words) : [],
      messageCount: hit.messageCount,
      matches: hit.messages.map((m) => ({ messageId: m.id, kind: m.kind, text: m.text, createdAt: m.createdAt, highlight: highlight(m.text, words) })),
    })),
    nextCursor: hits.length > request.limit && last ? encodeSearchCursor({ at: last.at, conversationId: last.conversation.id }, words) : null,
  };
}
