import type { DataSource } from 'typeorm';
import type { ConversationChanged, ConversationListItem } from '@relaydesk/contracts';
import { queryPrepared } from '@relaydesk/db';
import { wordsOf } from '../domain/words';
import { MATCHES_PER_CONVERSATION, type MatchedMessage, type SearchEngine, type SearchHit, type SearchRequest } from './search-engine';

/** tsvector refuses lexemes over 2 KB: longer words are indexed by their start, and queried alike. */
const MAX_LEXEME_CHARS = 100;
const lexemesOf = (words: string[]): string[] => [...new Set(words.filter((w) => w.length > 0).map((w) => [...w].slice(0, MAX_LEXEME_CHARS).join('')))];

const utcMicros = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const utcMillis = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/*
 * One statement, so one round trip to PostgreSQL per batch: at a few messages a second each batch is
 * one message, and every round trip wakes two processes. $1 the conversations, $2 the messages.
 * - applied: the conversations whose version is newer than the index's.
 * - spread: the client's name and blacklist flag are the client's, not the conversation's; a newer
 *   one reaches the client's other conversations, whose own versions count their own changes.
 * - messages are indexed whatever the conversation's version: an older event still carries new ones.
 */
const applyChanges = `
  WITH applied AS (
    INSERT INTO conversation AS c (id, client_id, version, item, group_id, assignee_id, status, blacklisted, name_words, active_at)
    SELECT id, client_id, version, item, group_id, assignee_id, status, blacklisted, array_to_tsvector(name_words), active_at
    FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, client_id uuid, version int, item jsonb, group_id uuid, assignee_id uuid,
                                            status text, blacklisted boolean, name_words text[], active_at timestamptz)
    ON CONFLICT (id) DO UPDATE SET
      client_id = EXCLUDED.client_id, version = EXCLUDED.version, item = EXCLUDED.item, group_id = EXCLUDED.group_id,
      assignee_id = EXCLUDED.assignee_id, status = EXCLUDED.status, blacklisted = EXCLUDED.blacklisted,
      name_words = EXCLUDED.name_words, active_at = EXCLUDED.active_at
    WHERE c.version < EXCLUDED.version
    RETURNING id, client_id, item, blacklisted, name_words
  ), spread AS (
    UPDATE conversation other
    SET item = jsonb_set(jsonb_set(other.item, '{client,name}', source.item #> '{client,name}'), '{client,blacklisted}', source.item #> '{client,blacklisted}'),
        blacklisted = source.blacklisted, name_words = source.name_words
    FROM applied source
    WHERE other.client_id = source.client_id AND other.id NOT IN (SELECT id FROM applied)
      AND (other.item #> '{client,name}' IS DISTINCT FROM source.item #> '{client,name}' OR other.blacklisted <> source.blacklisted)
  )
  INSERT INTO message (id, conversation_id, kind, text, created_at, words)
  SELECT id, conversation_id, kind, text, created_at, array_to_tsvector(words)
  FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, conversation_id uuid, kind text, text text, created_at timestamptz, words text[])
  ON CONFLICT (id) DO NOTHING`;

/** Audience (search-engine.ts) as SQL over `c`: $2 everything, $3 operator, $4 groups (null: all), $5 the All tab. */
const visible = `($2 OR ((NOT c.blacklisted OR $5) AND (c.assignee_id = $3::uuid OR (($4::uuid[] IS NULL OR c.group_id = ANY($4::uuid[])) AND ($5 OR c.status = 'unassigned')))))`;

/*
 * The query is built in SQL from the words passed as an array: each becomes the prefix lexeme
 * '<word>':* (quotes and backslashes escaped for tsquery's own syntax), joined by &. No user text is
 * ever part of the SQL string. Built from immutable and stable functions of the parameter, it is
 * known to the planner when it estimates how many messages match, which picks the plan below.
 */
const tsquery = `('''' || replace(replace(replace(array_to_string($1::text[], chr(1)), '\\', '\\\\'), '''', ''''''), chr(1), ''':* & ''') || ''':*')::tsquery`;

/** $9: how many of a conversation's matching messages come with it, newest first. */
const newestMatches = (conversationId: string) => `coalesce((
    SELECT jsonb_agg(jsonb_build_object('id', m.id, 'kind', m.kind, 'text', m.text, 'createdAt', ${utcMillis('m.created_at')}) ORDER BY m.created_at DESC, m.id DESC)
    FROM (SELECT m.* FROM message m WHERE m.conversation_id = ${conversationId} AND m.words @@ ${tsquery} ORDER BY m.created_at DESC, m.id DESC LIMIT $9) m
  ), '[]'::jsonb)`;

const matchCount = (conversationId: string) => `(SELECT count(*)::int FROM message m WHERE m.conversation_id = ${conversationId} AND m.words @@ ${tsquery})`;

/*
 * First tries: a walk down message_recent, newest first (before the cursor), that reads at most $11
 * messages and stops at $10 matches among them. Every message it did not read is at most as new as
 * `edge.oldest` (null when it read them all), so conversations whose newest match is newer are
 * known exactly (name matches are all known: they are few and each gets its exact time), and when
 * they fill the page, the page is right. When they do not, a longer walk or `searchAllHits` answers.
 * The walk is bounded because PostgreSQL cannot tell how many messages a prefix query matches: left
 * to choose, it walked the whole index for a word of one message in 250 (0.2 s at 2 million
 * messages). The query is computed once (SELECT), not for each message read. A conversation already
 * shown on an earlier page (a match at or before the cursor's position) is left out.
 */
const searchRecentHits = `
  WITH newest AS (
    SELECT m.conversation_id, m.created_at, m.words
    FROM message m
    WHERE $6::timestamptz IS NULL OR m.created_at <= $6::timestamptz
    ORDER BY m.created_at DESC
    LIMIT $11
  ),
  recent AS (
    SELECT n.conversation_id AS id, n.created_at AS at
    FROM newest n
    WHERE n.words @@ (SELECT ${tsquery})
    ORDER BY n.created_at DESC
    LIMIT $10
  ),
  edge AS (
    SELECT count(*)::int AS matched,
           CASE WHEN count(*) = $10 THEN min(at) ELSE (
             SELECT m.created_at FROM message m WHERE $6::timestamptz IS NULL OR m.created_at <= $6::timestamptz
             ORDER BY m.created_at DESC OFFSET $11 LIMIT 1
           ) END AS oldest
    FROM recent
  ),
  by_message AS (SELECT id, max(at) AS at FROM recent GROUP BY id),
  by_name AS (
    SELECT c.id, coalesce((SELECT max(m.created_at) FROM message m WHERE m.conversation_id = c.id AND m.words @@ ${tsquery}), c.active_at) AS at
    FROM conversation c WHERE c.name_words @@ ${tsquery}
  ),
  hit AS (
    SELECT coalesce(bn.id, bm.id) AS id, coalesce(bn.at, bm.at) AS at, bn.id IS NOT NULL AS name_matched
    FROM by_message bm FULL JOIN by_name bn ON bn.id = bm.id
  ),
  page AS (
    SELECT hit.id, hit.at, hit.name_matched, c.item
    FROM edge, hit JOIN conversation c ON c.id = hit.id
    WHERE ${visible}
      AND (edge.oldest IS NULL OR hit.at > edge.oldest)
      AND ($6::timestamptz IS NULL OR ((hit.at, hit.id) < ($6::timestamptz, $7::uuid) AND NOT EXISTS (
        SELECT 1 FROM message m WHERE m.conversation_id = hit.id AND m.words @@ ${tsquery} AND (m.created_at, m.conversation_id) >= ($6::timestamptz, $7::uuid))))
    ORDER BY hit.at DESC, hit.id DESC
    LIMIT $8
  )
  SELECT edge.matched, edge.oldest IS NOT NULL AS cut, ${utcMicros('page.at')} AS at, page.name_matched, page.item, ${matchCount('page.id')} AS message_count, ${newestMatches('page.id')} AS messages
  FROM edge LEFT JOIN page ON true
  ORDER BY page.at DESC, page.id DESC`;

/*
 * Every match: the GIN indexes find the matching messages and names, grouped per conversation and
 * sorted by (at, id); only then is each conversation joined by primary key for the visibility
 * filter, walking down the sorted hits until the page is full (a LATERAL subquery with LIMIT, which
 * the planner cannot turn into a join of every hit before the sort). The cost grows with the number
 * of matching messages, so it is the answer for rare words and when the walks did not fill the page.
 */
const searchAllHits = `
  WITH matched AS (
    SELECT m.conversation_id AS id, m.created_at AS at, false AS by_name FROM message m WHERE m.words @@ ${tsquery}
    UNION ALL
    SELECT c.id, c.active_at, true FROM conversation c WHERE c.name_words @@ ${tsquery}
  ),
  hit AS (
    SELECT id, coalesce(max(at) FILTER (WHERE NOT by_name), max(at)) AS at, bool_or(by_name) AS name_matched, (count(*) FILTER (WHERE NOT by_name))::int AS message_count
    FROM matched GROUP BY id
  ),
  page AS (
    SELECT hit.*, c.item
    FROM (SELECT * FROM hit WHERE $6::timestamptz IS NULL OR (hit.at, hit.id) < ($6::timestamptz, $7::uuid) ORDER BY hit.at DESC, hit.id DESC) hit
    CROSS JOIN LATERAL (SELECT c.item FROM conversation c WHERE c.id = hit.id AND ${visible} LIMIT 1) c
    ORDER BY hit.at DESC, hit.id DESC
    LIMIT $8
  )
  SELECT ${utcMicros('page.at')} AS at, page.name_matched, page.message_count, page.item, ${newestMatches('page.id')} AS messages
  FROM page
  ORDER BY page.at DESC, page.id DESC`;

/** One try of `searchRecentHits`: at most `read` of the newest messages, stopping at `window` matches. */
export type RecentWalk = { window: number; read: number };

type HitRow = { at: string; name_matched: boolean; message_count: number; item: ConversationListItem | null; messages: MatchedMessage[] };

/** The embedded engine: PostgreSQL full-text in the search service's own schema. */
export class PostgresEngine implements SearchEngine {
  /**
   * The walks down the newest messages (see searchRecentHits), each up to `window` matches among at
   * most `read` messages, tried in turn (see searchRecent); then every match, through the GIN index.
   * At 2 million messages a walk read about 3,000 messages a millisecond, and the GIN index answered
   * in about 5 µs a match: a short walk tells a common word from a rare one, which the index answers.
   */
  private readonly walks: RecentWalk[];

  constructor(
    private readonly db: DataSource,
    { walks = [{ window: 250, read: 2_000 }, { window: 250, read: 100_000 }, { window: 2_500, read: 200_000 }] }: { walks?: RecentWalk[] } = {},
  ) {
    this.walks = walks;
  }

  async apply(changes: ConversationChanged[]): Promise<void> {
    if (changes.length === 0) return;
    const newest = new Map<string, ConversationChanged>();
    for (const change of changes) {
      const seen = newest.get(change.item.id);
      if (!seen || seen.version < change.version) newest.set(change.item.id, change);
    }
    const conversations = [...newest.values()].map(({ version, item }) => ({
      id: item.id,
      client_id: item.client.id,
      version,
      item,
      group_id: item.group.id,
      assignee_id: item.assignee?.id ?? null,
      status: item.status,
      blacklisted: item.client.blacklisted,
      name_words: lexemesOf(wordsOf(item.client.name)),
      active_at: item.lastMessage?.at ?? item.listedAt,
    }));
    const messages = new Map<string, object>();
    for (const { item, messages: added } of changes) {
      for (const m of added) {
        if (m.kind === 'event' || !m.text) continue;
        const words = lexemesOf(wordsOf(m.text));
        if (words.length > 0) messages.set(m.id, { id: m.id, conversation_id: item.id, kind: m.kind, text: m.text, created_at: m.createdAt, words });
      }
    }
    await queryPrepared(this.db, applyChanges, [JSON.stringify(conversations), JSON.stringify([...messages.values()])]);
  }

  async search({ words, audience, limit, after }: SearchRequest): Promise<SearchHit[]> {
    const lexemes = lexemesOf(words);
    if (lexemes.length === 0 || limit <= 0) return [];
    const everyone = audience.everything;
    const params = [
      lexemes,
      everyone,
      everyone ? null : audience.operatorId,
      everyone ? null : audience.groupIds,
      everyone ? true : audience.allTab,
      after?.at ?? null,
      after?.conversationId ?? null,
      limit,
      MATCHES_PER_CONVERSATION,
    ];
    const rows = (await this.searchRecent(params, limit)) ?? (await this.db.query<HitRow[]>(searchAllHits, params));
    return rows.map((r) => ({ conversation: r.item!, at: r.at, nameMatched: r.name_matched, messages: r.messages, messageCount: r.message_count }));
  }

  /**
   * The page from the newest matches, or undefined when no walk was long enough to be sure of it.
   * After a walk that filled its window (a common word, an audience that sees few of its
   * conversations) comes the next with a larger window. After one that read its messages first,
   * the next is taken only if the matches seen, at the same rate, would fill its window: otherwise
   * the word is rare enough for the GIN index to answer sooner.
   */
  private async searchRecent(params: unknown[], limit: number): Promise<HitRow[] | undefined> {
    let walk = this.walks[0];
    while (walk) {
      const { window, read } = walk;
      const rows: (HitRow & { matched: number; cut: boolean })[] = await this.db.query(searchRecentHits, [...params, window, read]);
      const found = rows.filter((r) => r.item !== null);
      const edge = rows[0]!; // the edge joins the page from the left: one row at least
      if (found.length >= limit || !edge.cut) return found;
      const later = this.walks.slice(this.walks.indexOf(walk) + 1);
      walk = edge.matched === window ? later.find((w) => w.window > window) : later.find((w) => (edge.matched * w.read) / read >= w.window);
    }
    return undefined;
  }

  async check(): Promise<void> {
    await this.db.query('SELECT 1 FROM conversation LIMIT 1');
  }

  async clear(): Promise<void> {
    await this.db.query('TRUNCATE conversation, message');
  }
}
