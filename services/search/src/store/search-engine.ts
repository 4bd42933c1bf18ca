import type { ConversationChanged, ConversationListItem } from '@relaydesk/contracts';

/**
 * Whose search it is, as the filter every engine applies (D3, D34; the Blacklist only with D1):
 * a conversation is found when the caller holds it, or it is in one of his groups (`groupIds`
 * null: every group) and either he has the All tab or it is unassigned; a blacklisted client's
 * conversations only with the All tab. A super_admin sees everything.
 */
export type Audience =
  | { everything: true }
  | { everything: false; operatorId: string; groupIds: string[] | null; allTab: boolean };

/** Where a page ends: the next page starts strictly after it (newest first). */
export type SearchPosition = { at: string; conversationId: string };

export type SearchRequest = {
  /** Folded words (see `wordsOf`); each must be the start of a word of the same document. */
  words: string[];
  audience: Audience;
  limit: number;
  after?: SearchPosition;
};

export type MatchedMessage = { id: string; kind: 'text' | 'file' | 'note'; text: string; createdAt: string };

/**
 * One conversation found: by its client's name (every word starts a word of the name), by its
 * messages (every word starts a word of one message's text), or both. `at` orders the results,
 * newest first: the newest matching message, or for a match by name alone the conversation's
 * last activity.
 */
export type SearchHit = {
  conversation: ConversationListItem;
  at: string;
  nameMatched: boolean;
  /** The newest matching messages, at most `MATCHES_PER_CONVERSATION`, newest first. */
  messages: MatchedMessage[];
  /** How many messages of the conversation matched in all. */
  messageCount: number;
};

export const MATCHES_PER_CONVERSATION = 3;

/** The search index behind one interface: PostgreSQL full-text (embedded default) or Meilisearch. */
export interface SearchEngine {
  /**
   * Applies `conversation.changed` events: a conversation keeps the newest version seen; the
   * messages an event adds are indexed once (`event` messages are not); a client's new name or
   * blacklist flag reaches all of that client's conversations. Applying the same events twice, or
   * an older one after a newer, changes nothing.
   */
  apply(changes: ConversationChanged[]): Promise<void>;
  /** Up to `limit` hits, ordered by (`at`, conversation id) descending, strictly after `after`. */
  search(request: SearchRequest): Promise<SearchHit[]>;
  /** Throws while the engine is unreachable (GET /ready). */
  check(): Promise<void>;
  /** Forgets every document (tests; a reindex from nothing). */
  clear(): Promise<void>;
}
