import { createHash } from 'node:crypto';
import { MeiliSearch, type Index, type MultiSearchQuery, type SearchParams, type Settings, type Task } from 'meilisearch';
import type { ConversationChanged, ConversationListItem } from '@relaydesk/contracts';
import { wordsOf } from '../domain/words';
import {
  MATCHES_PER_CONVERSATION,
  type Audience,
  type MatchedMessage,
  type SearchEngine,
  type SearchHit,
  type SearchPosition,
  type SearchRequest,
} from './search-engine';

/*
 * D26 on Meilisearch, exactly as the PostgreSQL engine has it.
 *
 * Meilisearch's own matching is not D26: it treats only the last query word as a prefix, forgives
 * typos, and its tokenizer (charabia) decides what a word is — it segments CJK and German compounds,
 * detects languages, normalizes some letters further than `fold` does. So Meilisearch never sees our
 * text. Each document carries one field of *terms*: for every word of `wordsOf` (cut to
 * MAX_TERM_CHARS, as the PostgreSQL engine cuts its lexemes), every prefix of it, from one character
 * up to the whole word — PostgreSQL prefix-matches query words of any length ('w':*), so we index
 * prefixes from one character, not only from D26's three. A query word then must equal one term of
 * the document, which Meilisearch answers with an exact word lookup: typo tolerance off, prefix
 * search off (v1.12+), every word quoted as a phrase (exact, no typo, no prefix, on any version) and
 * matchingStrategy 'all'. Terms are spelled in [a-z0-9] only (below), one token each whatever the
 * script or locale, so the tokenizer can neither split, merge nor re-normalize them.
 */

/** Words are indexed and queried by their first 100 characters, like the PostgreSQL engine's lexemes. */
export const MAX_TERM_CHARS = 100;
/** Meilisearch ignores words over 250 bytes (milli's MAX_WORD_LENGTH): longer spellings are hashed. */
const MAX_SPELLED_TERM = 200;

/** One character as [a-z0-9]: a–y and digits as they are, anything else `z` + 4 base-36 digits of its code point. */
const spell = (char: string): string => (/^[a-y0-9]$/.test(char) ? char : `z${(char.codePointAt(0) ?? 0).toString(36).padStart(4, '0')}`);

/** The term of one folded word prefix: `w` + its spelling, or `h` + a 128-bit hash when that is too long. */
function term(chars: string[], spelled: string): string {
  if (spelled.length < MAX_SPELLED_TERM) return `w${spelled}`;
  return `h${createHash('sha256').update(chars.join('')).digest('hex').slice(0, 32)}`;
}

/** Every prefix term of one folded word, from one character up to MAX_TERM_CHARS. */
function prefixTermsOf(word: string): string[] {
  const chars = [...word].slice(0, MAX_TERM_CHARS);
  const terms: string[] = [];
  let spelled = '';
  for (let i = 0; i < chars.length; i++) {
    spelled += spell(chars[i] ?? '');
    terms.push(term(chars.slice(0, i + 1), spelled));
  }
  return terms;
}

/** The terms a text is found by: every prefix of each of its words (D26), each once. */
export function prefixTerms(text: string): string[] {
  return [...new Set(wordsOf(text).flatMap(prefixTermsOf))];
}

/** The term each query word must equal (the query words are already folded, see `wordsOf`). */
export function queryTerms(words: string[]): string[] {
  const terms = words.map((word) => {
    const chars = [...word].slice(0, MAX_TERM_CHARS);
    return term(chars, chars.map(spell).join(''));
  });
  return [...new Set(terms.filter((t) => t !== 'w'))];
}

// --- Filters: built only from validated ids, booleans and constants, never from user text. ---

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A uuid as a filter value; anything else is refused before it can reach a filter string. */
export function uuidValue(id: string): string {
  if (!UUID.test(id)) throw new Error(`not a uuid, refused in a Meilisearch filter: ${JSON.stringify(id).slice(0, 60)}`);
  return `"${id.toLowerCase()}"`;
}

const uuidList = (ids: Iterable<string>): string => `[${[...ids].map(uuidValue).join(', ')}]`;

/**
 * `Audience` (search-engine.ts) as a Meilisearch filter over the visibility attributes every
 * document carries (a message carries its conversation's), or null for no filter (super_admin):
 * held by the caller, or in his groups and (All tab or unassigned); blacklisted only with the All tab.
 */
export function audienceFilter(audience: Audience): string | null {
  if (audience.everything) return null;
  // Each part is a condition, or true/false when it holds for every conversation or for none.
  type Part = string | boolean;
  const both = (a: Part, b: Part): Part => (a === false || b === false ? false : a === true ? b : b === true ? a : `${a} AND ${b}`);
  const held = `assigneeId = ${uuidValue(audience.operatorId)}`;
  const inGroups: Part = audience.groupIds === null || (audience.groupIds.length > 0 && `groupId IN ${uuidList(audience.groupIds)}`);
  const onTab: Part = audience.allTab || 'status = "unassigned"';
  const scoped = both(inGroups, onTab);
  // Never false: what the caller holds is always in.
  const visible: Part = scoped === false ? held : scoped === true ? true : `(${held} OR (${scoped}))`;
  const result = audience.allTab ? visible : both('blacklisted = false', visible);
  return typeof result === 'string' ? result : null;
}

// --- Times: microseconds since the epoch, as PostgreSQL keeps them. ---

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)$/i;

/** An ISO-8601 time (as `isoTime` accepts it) as integer microseconds, rounded like PostgreSQL's timestamptz. */
export function isoMicros(iso: string): number {
  const m = ISO_TIME.exec(iso);
  if (!m) throw new Error(`not an ISO-8601 time: ${JSON.stringify(iso).slice(0, 60)}`);
  const [, year, month, day, hour, minute, second = '0', fraction = '', zone = 'Z'] = m;
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
  }
  const seconds = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)) / 1000 - offsetMinutes * 60;
  const padded = fraction.padEnd(7, '0');
  const micros = Number(padded.slice(0, 6)) + (Number(padded[6]) >= 5 ? 1 : 0);
  return seconds * 1_000_000 + micros;
}

/** Microseconds as `YYYY-MM-DDTHH:MM:SS.ffffffZ`, the PostgreSQL engine's `at`. */
export function isoFromMicros(micros: number): string {
  const millis = Math.floor(micros / 1000);
  return `${new Date(millis).toISOString().slice(0, -1)}${String(micros - millis * 1000).padStart(3, '0')}Z`;
}

/** Milliseconds, truncated, as `YYYY-MM-DDTHH:MM:SS.mmmZ`: a matched message's `createdAt`. */
const isoMillis = (micros: number): string => new Date(Math.floor(micros / 1000)).toISOString();

// --- Paging: two ordered streams of conversations (by messages, by name alone) merged and cut. ---

/** A conversation's place in the results: (at, id) descending; ids compared as lower-case uuids. */
export type Candidate = { id: string; atUs: number; item?: ConversationListItem };
export type Cursor = { atUs: number; id: string };

/** > 0 when `a` comes first (newer, or as new with the greater id). */
const compareCandidates = (a: Candidate, b: Candidate): number => a.atUs - b.atUs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Strictly after the cursor in the results, i.e. (at, id) < (cursor.at, cursor.id). */
export const afterCursor = (c: Candidate, cursor: Cursor | null): boolean =>
  cursor === null || c.atUs < cursor.atUs || (c.atUs === cursor.atUs && c.id < cursor.id);

export const cursorOf = (after: SearchPosition | undefined): Cursor | null =>
  after ? { atUs: isoMicros(after.at), id: after.conversationId.toLowerCase() } : null;

/** One batch of a stream: candidates in result order, and whether the source has nothing after them. */
export type Batch = { candidates: Candidate[]; done: boolean };

/** Candidates fetched batch by batch, in result order, looked at one by one. */
export class CandidateStream {
  private buffer: Candidate[] = [];
  private done = false;

  constructor(private readonly fetchNext: () => Promise<Batch>) {}

  async peek(): Promise<Candidate | undefined> {
    while (this.buffer.length === 0 && !this.done) {
      const batch = await this.fetchNext();
      this.buffer.push(...batch.candidates);
      this.done = batch.done;
    }
    return this.buffer[0];
  }

  shift(): Candidate | undefined {
    return this.buffer.shift();
  }
}

/** The page: the first `limit` candidates of both streams in result order, each conversation once. */
export async function takePage(streams: CandidateStream[], limit: number): Promise<Candidate[]> {
  const page: Candidate[] = [];
  const taken = new Set<string>();
  while (page.length < limit) {
    const heads = await Promise.all(streams.map((s) => s.peek()));
    let best = -1;
    heads.forEach((head, i) => {
      const current = heads[best];
      if (head && (current === undefined || compareCandidates(head, current) > 0)) best = i;
    });
    const next = best < 0 ? undefined : streams[best]?.shift();
    if (!next) break;
    if (taken.has(next.id)) continue;
    taken.add(next.id);
    page.push(next);
  }
  return page;
}

// --- Documents and index settings. ---

type Visibility = { groupId: string; assigneeId: string | null; status: string; blacklisted: boolean };

type ConversationDoc = Visibility & {
  id: string;
  clientId: string;
  version: number;
  /** The list item as JSON text, returned as it came. */
  item: string;
  /** When a match by name alone is placed: the last message's time, else when it was listed. */
  activeUs: number;
  nameTerms: string;
};

type MessageDoc = Visibility & {
  id: string;
  conversationId: string;
  kind: MatchedMessage['kind'];
  text: string;
  atUs: number;
  terms: string;
};

const VISIBILITY = ['groupId', 'assigneeId', 'status', 'blacklisted'] as const;

/** What `apply` reads back of a stored conversation. */
type StoredConversation = Pick<ConversationDoc, 'id' | 'clientId' | 'version' | 'item' | keyof Visibility>;

const visibilityOf = (item: ConversationListItem): Visibility => ({
  groupId: item.group.id.toLowerCase(),
  assigneeId: item.assignee?.id.toLowerCase() ?? null,
  status: item.status,
  blacklisted: item.client.blacklisted,
});

const sameVisibility = (a: Visibility, b: Visibility): boolean => VISIBILITY.every((key) => a[key] === b[key]);

function conversationDoc(version: number, item: ConversationListItem): ConversationDoc {
  return {
    id: item.id.toLowerCase(),
    clientId: item.client.id.toLowerCase(),
    version,
    item: JSON.stringify(item),
    ...visibilityOf(item),
    activeUs: isoMicros(item.lastMessage?.at ?? item.listedAt),
    nameTerms: prefixTerms(item.client.name).join(' '),
  };
}

/** The one locale of the term fields (any fixed one would do: terms are [a-z0-9]). */
const LOCALE = 'eng';

/**
 * Settings both indexes share: exact terms only (see the top of this file), results in `sort`
 * order (newest first) rather than by relevancy, and nothing built that no query uses.
 */
const exactTerms = (terms: string): Settings => ({
  searchableAttributes: [terms],
  rankingRules: ['sort', 'words'],
  typoTolerance: { enabled: false },
  prefixSearch: 'disabled',
  // Terms are [a-z0-9]: a fixed locale keeps language detection (and e.g. German compound
  // splitting) away from them, at indexing and in `locales` at search time.
  localizedAttributes: [{ attributePatterns: [terms], locales: [LOCALE] }],
  proximityPrecision: 'byAttribute',
  facetSearch: false,
  stopWords: [],
  synonyms: {},
  distinctAttribute: null,
  // A conversation's message count comes from an exhaustive count, which stops here.
  pagination: { maxTotalHits: 100_000 },
  // A search cut short would return fewer results than match: allow more than the 1.5 s default.
  searchCutoffMs: 10_000,
});


const CONVERSATION_SETTINGS: Settings = {
  ...exactTerms('nameTerms'),
  displayedAttributes: ['id', 'clientId', 'version', 'item', 'activeUs', ...VISIBILITY],
  filterableAttributes: ['id', 'clientId', 'activeUs', ...VISIBILITY],
  sortableAttributes: ['activeUs', 'id'],
};

const MESSAGE_SETTINGS: Settings = {
  ...exactTerms('terms'),
  displayedAttributes: ['id', 'conversationId', 'kind', 'text', 'atUs', ...VISIBILITY],
  filterableAttributes: ['conversationId', 'atUs', ...VISIBILITY],
  sortableAttributes: ['atUs', 'conversationId', 'id'],
};

/** Search parameters of every query: every term must be there. */
const EXACT: SearchParams = { matchingStrategy: 'all', locales: [LOCALE] };

/** Each query word as a one-word phrase: matched exactly, never as a prefix or with a typo. */
const phraseQuery = (terms: string[]): string => terms.map((t) => `"${t}"`).join(' ');

/** The conditions given, all to hold (Meilisearch ANDs a filter array); undefined when there are none. */
function and(...conditions: (string | null | false | undefined)[]): string[] | undefined {
  const all = conditions.filter((c): c is string => typeof c === 'string' && c !== '');
  return all.length > 0 ? all : undefined;
}

export type MeiliEngineOptions = {
  url: string;
  apiKey?: string;
  /** Prepended to the index names (`conversations`, `messages`): [A-Za-z0-9_-]. */
  indexPrefix?: string;
  /** How long a write waits for Meilisearch to have indexed it. */
  taskTimeoutMs?: number;
};

const PAGE = 1000;

/** The production engine: Meilisearch through the official client, two indexes (conversations, messages). */
export class MeiliEngine implements SearchEngine {
  private readonly client: MeiliSearch;
  private readonly conversations: Index<ConversationDoc>;
  private readonly messages: Index<MessageDoc>;
  private readonly uids: { conversations: string; messages: string };
  private readonly taskTimeoutMs: number;
  private started: Promise<void> | undefined;
  /** Applies run one at a time: each reads what the one before it wrote. */
  private applying: Promise<unknown> = Promise.resolve();

  constructor(options: MeiliEngineOptions) {
    const prefix = options.indexPrefix ?? 'relaydesk_';
    if (!/^[A-Za-z0-9_-]*$/.test(prefix)) throw new Error('indexPrefix may hold only letters, digits, - and _');
    this.client = new MeiliSearch({ host: options.url, ...(options.apiKey ? { apiKey: options.apiKey } : {}), timeout: 30_000 });
    this.uids = { conversations: `${prefix}conversations`, messages: `${prefix}messages` };
    this.conversations = this.client.index<ConversationDoc>(this.uids.conversations);
    this.messages = this.client.index<MessageDoc>(this.uids.messages);
    this.taskTimeoutMs = options.taskTimeoutMs ?? 60_000;
  }

  /** Creates both indexes if missing and applies their settings, awaiting the tasks. Idempotent. */
  start(): Promise<void> {
    this.started ??= this.setUp().catch((error: unknown) => {
      this.started = undefined;
      throw error;
    });
    return this.started;
  }

  private async setUp(): Promise<void> {
    const created = await Promise.all([
      this.client.createIndex(this.uids.conversations, { primaryKey: 'id' }),
      this.client.createIndex(this.uids.messages, { primaryKey: 'id' }),
    ]);
    await this.settle(created.map((t) => t.taskUid), ['index_already_exists']);
    const settings = await Promise.all([this.conversations.updateSettings(CONVERSATION_SETTINGS), this.messages.updateSettings(MESSAGE_SETTINGS)]);
    await this.settle(settings.map((t) => t.taskUid));
  }

  /** Waits for tasks to be processed; a failed one throws (unless its error code is tolerated). */
  private async settle(taskUids: number[], tolerated: string[] = []): Promise<void> {
    if (taskUids.length === 0) return;
    const tasks: Task[] = await this.client.tasks.waitForTasks(taskUids, { timeout: this.taskTimeoutMs, interval: 10 });
    const failed = tasks.find((t) => t.status !== 'succeeded' && !(t.error && tolerated.includes(t.error.code)));
    if (failed) throw new Error(`Meilisearch task ${failed.uid} (${failed.type}) ${failed.status}: ${failed.error?.message ?? 'no error given'}`);
  }

  apply(changes: ConversationChanged[]): Promise<void> {
    const run = this.applying.then(() => this.applyNow(changes));
    this.applying = run.catch(() => undefined);
    return run;
  }

  private async applyNow(changes: ConversationChanged[]): Promise<void> {
    if (changes.length === 0) return;
    await this.start();
    const newest = new Map<string, ConversationChanged>();
    for (const change of changes) {
      const id = change.item.id.toLowerCase();
      const seen = newest.get(id);
      if (!seen || seen.version < change.version) newest.set(id, change);
    }
    const stored = new Map((await this.conversationDocs(`id IN ${uuidList(newest.keys())}`)).map((d) => [d.id, d]));

    // The newest version wins: a conversation is written only when its event is newer than what is stored.
    const applied: ConversationDoc[] = [];
    for (const [id, change] of newest) {
      const current = stored.get(id);
      if (!current || current.version < change.version) applied.push(conversationDoc(change.version, change.item));
    }
    /** What each touched conversation's visibility is once this apply is done. */
    const state = new Map<string, Visibility>([...stored].map(([id, doc]) => [id, pickVisibility(doc)]));
    /** Conversations whose stored messages must take a new visibility. */
    const moved = new Set<string>();
    for (const doc of applied) {
      const before = stored.get(doc.id);
      if (before && !sameVisibility(before, doc)) moved.add(doc.id);
      state.set(doc.id, pickVisibility(doc));
    }

    // The client's name and blacklist flag are the client's: a newly applied one reaches the client's
    // other conversations (whose own versions stay as they are), like the PostgreSQL engine's applyChanges.
    const spread: Partial<ConversationDoc>[] = [];
    if (applied.length > 0) {
      const appliedIds = applied.map((d) => d.id);
      const source = new Map(applied.map((d) => [d.clientId, d]));
      const others = await this.conversationDocs(`clientId IN ${uuidList(source.keys())} AND NOT id IN ${uuidList(appliedIds)}`);
      for (const other of others) {
        const from = source.get(other.clientId);
        if (!from) continue;
        const client = (JSON.parse(from.item) as ConversationListItem).client;
        const item = JSON.parse(other.item) as ConversationListItem;
        if (item.client.name === client.name && other.blacklisted === client.blacklisted) continue;
        item.client = { ...item.client, name: client.name, blacklisted: client.blacklisted };
        spread.push({ id: other.id, item: JSON.stringify(item), blacklisted: client.blacklisted, nameTerms: from.nameTerms });
        const visibility = { ...pickVisibility(other), blacklisted: client.blacklisted };
        if (other.blacklisted !== client.blacklisted) moved.add(other.id);
        state.set(other.id, visibility);
      }
    }

    // Messages are indexed whatever their event's version (an older event still adds its messages),
    // once each (the message id is the document id), stamped with their conversation's visibility.
    const messages = new Map<string, MessageDoc>();
    for (const { item, messages: added } of changes) {
      const conversationId = item.id.toLowerCase();
      const visibility = state.get(conversationId);
      if (!visibility) continue;
      for (const m of added) {
        if (m.kind === 'event' || !m.text) continue;
        const terms = prefixTerms(m.text);
        if (terms.length === 0) continue;
        const id = m.id.toLowerCase();
        messages.set(id, { id, conversationId, kind: m.kind, text: m.text, atUs: isoMicros(m.createdAt), terms: terms.join(' '), ...visibility });
      }
    }

    // Visibility changed: the copies on the conversation's stored messages follow.
    const restamped: (Visibility & { id: string })[] = [];
    for (const conversationId of moved) {
      const visibility = state.get(conversationId);
      if (!visibility) continue;
      for (const id of await this.messageIdsOf(conversationId)) restamped.push({ id, ...visibility });
    }

    const tasks = await Promise.all([
      applied.length > 0 ? this.conversations.addDocuments(applied, { primaryKey: 'id' }) : undefined,
      spread.length > 0 ? this.conversations.updateDocuments(spread, { primaryKey: 'id' }) : undefined,
      restamped.length > 0 ? this.messages.updateDocuments(restamped, { primaryKey: 'id' }) : undefined,
    ]);
    // New messages after the restamping, so a message both stored and re-sent ends with the new copy.
    const added = messages.size > 0 ? await this.messages.addDocuments([...messages.values()], { primaryKey: 'id' }) : undefined;
    // Visible to the next search once this returns.
    await this.settle([...tasks, added].flatMap((t) => (t ? [t.taskUid] : [])));
  }

  private async conversationDocs(filter: string): Promise<StoredConversation[]> {
    const docs: StoredConversation[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.conversations.getDocuments<StoredConversation>({
        filter,
        fields: ['id', 'clientId', 'version', 'item', ...VISIBILITY],
        limit: PAGE,
        offset,
      });
      docs.push(...page.results);
      if (page.results.length < PAGE) return docs;
    }
  }

  private async messageIdsOf(conversationId: string): Promise<string[]> {
    const ids: string[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.messages.getDocuments<{ id: string }>({ filter: `conversationId = ${uuidValue(conversationId)}`, fields: ['id'], limit: PAGE, offset });
      ids.push(...page.results.map((d) => d.id));
      if (page.results.length < PAGE) return ids;
    }
  }

  async search({ words, audience, limit, after }: SearchRequest): Promise<SearchHit[]> {
    const terms = queryTerms(words);
    if (terms.length === 0 || limit <= 0) return [];
    await this.start();
    const q = phraseQuery(terms);
    const visible = audienceFilter(audience);
    const cursor = cursorOf(after);
    const batch = Math.min(limit + 1, PAGE);
    const page = await takePage([this.byMessages(q, visible, cursor, batch), this.byNameAlone(q, visible, cursor, batch)], limit);
    if (page.length === 0) return [];

    // The page's details in one round trip: items and name matches of conversations found by their
    // messages, and each conversation's newest matching messages with their exact count.
    const byMessage = page.filter((c) => !c.item).map((c) => c.id);
    const queries: MultiSearchQuery[] = [
      { indexUid: this.uids.conversations, q: '', filter: and(`id IN ${uuidList(byMessage)}`), limit: byMessage.length, attributesToRetrieve: ['id', 'item'] },
      { ...this.exact(this.uids.conversations, q), filter: and(`id IN ${uuidList(byMessage)}`), limit: byMessage.length, attributesToRetrieve: ['id'] },
      ...byMessage.map(
        (id): MultiSearchQuery => ({
          ...this.exact(this.uids.messages, q),
          filter: and(`conversationId = ${uuidValue(id)}`),
          sort: ['atUs:desc', 'id:desc'],
          hitsPerPage: MATCHES_PER_CONVERSATION,
          page: 1,
          attributesToRetrieve: ['id', 'kind', 'text', 'atUs'],
        }),
      ),
    ];
    const { results } = byMessage.length > 0 ? await this.client.multiSearch({ queries }) : { results: [] };
    const [items, named, ...matched] = results;
    const itemOf = new Map((items?.hits ?? []).map((h) => [String(h.id), JSON.parse(String(h.item)) as ConversationListItem]));
    const nameMatched = new Set((named?.hits ?? []).map((h) => String(h.id)));
    const messagesOf = new Map(byMessage.map((id, i) => [id, matched[i]]));

    const hits: SearchHit[] = [];
    for (const candidate of page) {
      const found = messagesOf.get(candidate.id);
      const conversation = candidate.item ?? itemOf.get(candidate.id);
      if (!conversation) continue; // removed meanwhile
      hits.push({
        conversation,
        at: isoFromMicros(candidate.atUs),
        nameMatched: candidate.item !== undefined || nameMatched.has(candidate.id),
        messages: (found?.hits ?? []).map((h) => ({
          id: String(h.id),
          kind: h.kind as MatchedMessage['kind'],
          text: String(h.text),
          createdAt: isoMillis(Number(h.atUs)),
        })),
        messageCount: found ? (found.totalHits ?? found.hits.length) : 0,
      });
    }
    return hits;
  }

  /** A query of exact terms in a multi-search. */
  private exact(indexUid: string, q: string): MultiSearchQuery {
    return { indexUid, q, ...EXACT };
  }

  /**
   * Conversations with matching messages, placed by their newest matching message, strictly after
   * the cursor: one hit per conversation (`distinct`), newest first. A conversation whose newest
   * match is at or before the cursor was on an earlier page even if it also has older matches
   * after the cursor: those are dropped by a second look at the candidates.
   */
  private byMessages(q: string, visible: string | null, cursor: Cursor | null, batch: number): CandidateStream {
    let offset = 0;
    return new CandidateStream(async () => {
      const { hits } = await this.messages.search(q, {
        ...EXACT,
        filter: and(visible, cursor && `atUs <= ${cursor.atUs}`),
        sort: ['atUs:desc', 'conversationId:desc'],
        distinct: 'conversationId',
        offset,
        limit: batch,
        attributesToRetrieve: ['conversationId', 'atUs'],
      });
      offset += hits.length;
      let candidates = hits.map((h) => ({ id: h.conversationId, atUs: h.atUs }));
      if (cursor && candidates.length > 0) {
        const newer = await this.messages.search(q, {
          ...EXACT,
          filter: and(`conversationId IN ${uuidList(candidates.map((c) => c.id))}`, `atUs >= ${cursor.atUs}`),
          sort: ['atUs:desc'],
          distinct: 'conversationId',
          limit: candidates.length,
          attributesToRetrieve: ['conversationId', 'atUs'],
        });
        const before = new Set(newer.hits.filter((h) => !afterCursor({ id: h.conversationId, atUs: h.atUs }, cursor)).map((h) => h.conversationId));
        candidates = candidates.filter((c) => !before.has(c.id));
      }
      return { candidates, done: hits.length < batch };
    });
  }

  /**
   * Conversations whose client name matches and none of whose messages do, placed by their last
   * activity, strictly after the cursor (one with matching messages is placed by them instead).
   */
  private byNameAlone(q: string, visible: string | null, cursor: Cursor | null, batch: number): CandidateStream {
    let offset = 0;
    return new CandidateStream(async () => {
      const { hits } = await this.conversations.search(q, {
        ...EXACT,
        filter: and(visible, cursor && `activeUs <= ${cursor.atUs}`),
        sort: ['activeUs:desc', 'id:desc'],
        offset,
        limit: batch,
        attributesToRetrieve: ['id', 'activeUs', 'item'],
      });
      offset += hits.length;
      let candidates: Candidate[] = hits
        .map((h) => ({ id: h.id, atUs: h.activeUs, item: JSON.parse(h.item) as ConversationListItem }))
        .filter((c) => afterCursor(c, cursor));
      if (candidates.length > 0) {
        const withMessages = await this.messages.search(q, {
          ...EXACT,
          filter: and(`conversationId IN ${uuidList(candidates.map((c) => c.id))}`),
          distinct: 'conversationId',
          limit: candidates.length,
          attributesToRetrieve: ['conversationId'],
        });
        const byMessages = new Set(withMessages.hits.map((h) => h.conversationId));
        candidates = candidates.filter((c) => !byMessages.has(c.id));
      }
      return { candidates, done: hits.length < batch };
    });
  }

  async check(): Promise<void> {
    await this.client.health();
  }

  async clear(): Promise<void> {
    await this.start();
    const tasks = await Promise.all([this.conversations.deleteAllDocuments(), this.messages.deleteAllDocuments()]);
    await this.settle(tasks.map((t) => t.taskUid));
  }

  /** Deletes both indexes (tests: each run in its own). */
  async drop(): Promise<void> {
    const tasks = await Promise.all([this.client.deleteIndex(this.uids.conversations), this.client.deleteIndex(this.uids.messages)]);
    await this.settle(
      tasks.map((t) => t.taskUid),
      ['index_not_found'],
    );
    this.started = undefined;
  }
}

const pickVisibility = (doc: Visibility): Visibility => ({
  groupId: doc.groupId,
  assigneeId: doc.assigneeId,
  status: doc.status,
  blacklisted: doc.blacklisted,
});
