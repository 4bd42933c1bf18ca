import { wordsOf } from '../domain/words';
import {
  CandidateStream,
  MAX_TERM_CHARS,
  afterCursor,
  audienceFilter,
  cursorOf,
  isoFromMicros,
  isoMicros,
  prefixTerms,
  queryTerms,
  takePage,
  uuidValue,
  type Batch,
  type Candidate,
} from './meili-engine';

const OPERATOR = '0b7c6a51-8a0e-4c5e-9d55-3f1a2b3c4d5e';
const GROUP_A = '11111111-1111-4111-8111-111111111111';
const GROUP_B = '22222222-2222-4222-8222-222222222222';

/** D26 as the PostgreSQL engine decides it: the word's first 100 characters start with the query word's. */
const cut = (word: string): string => [...word].slice(0, MAX_TERM_CHARS).join('');
const d26 = (text: string, queryWord: string): boolean => wordsOf(text).some((word) => cut(word).startsWith(cut(queryWord)));
/** The Meilisearch engine's answer: the query word's term is one of the text's terms. */
const found = (text: string, queryWord: string): boolean => {
  const [term] = queryTerms([queryWord]);
  return term !== undefined && prefixTerms(text).includes(term);
};

describe('the edge-prefix terms of a text (D26)', () => {
  it('D26: every prefix of every word is a term, from one character to the whole word, each once', () => {
    expect(prefixTerms('Hello help')).toEqual(['wh', 'whe', 'whel', 'whell', 'whello', 'whelp']);
  });

  it('D26: the start of a word matches, never its middle or end ("hel" finds "hello"; "llo" does not)', () => {
    expect(found('Hello world', 'hel')).toBe(true);
    expect(found('Hello world', 'llo')).toBe(false);
    expect(found('Hello world', 'orld')).toBe(false);
    expect(found('Hello world', 'hello')).toBe(true);
    expect(found('Hello world', 'helloo')).toBe(false);
  });

  it('D26: without case and accents, Cyrillic, emoji and mixed scripts', () => {
    expect(found('Ünal Çelik', 'una')).toBe(true);
    expect(found('ÜNAL', 'unal')).toBe(true);
    expect(found('Привет, мир', 'при')).toBe(true);
    expect(found('Привет, мир', 'ивет')).toBe(false);
    expect(found('party 🎉🎉 tonight', '🎉')).toBe(true);
    expect(found('Zoë mixed Ωmega日本語', 'ωme')).toBe(true);
    expect(found('Zoë mixed Ωmega日本語', '日本')).toBe(false); // one word: "ωmega日本語"
    expect(found('z zz', 'zz')).toBe(true);
    expect(found('zz', 'z0')).toBe(false);
  });

  it('spells every term in [a-z0-9], short enough for Meilisearch (words over 250 bytes are dropped)', () => {
    const terms = prefixTerms(`ascii Кириллица 🎉🎉🎉 ${'漢'.repeat(150)} ${'x'.repeat(300)} ${'ж'.repeat(120)}`);
    for (const term of terms) {
      expect(term).toMatch(/^[a-z0-9]+$/);
      expect(term.length).toBeLessThanOrEqual(201);
    }
  });

  it('cuts words at 100 characters like the PostgreSQL engine: a longer query word matches by its first 100', () => {
    const long = 'ж'.repeat(150);
    expect(prefixTerms(long)).toHaveLength(MAX_TERM_CHARS);
    expect(found(long, 'ж'.repeat(100))).toBe(true);
    expect(found(long, 'ж'.repeat(120))).toBe(true);
    expect(found(`${'ж'.repeat(99)}x`, 'ж'.repeat(100))).toBe(false);
  });

  it('D26: agrees with the rule on random texts of mixed scripts (no two prefixes share a term)', () => {
    const alphabet = [...'abyz09zé', 'ж', 'Ж', 'ё', '🎉', '👍🏽', '日', ' ', ' ', '-'];
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const text = (length: number): string => Array.from({ length }, () => alphabet[random(alphabet.length)]).join('');
    for (let i = 0; i < 500; i++) {
      const doc = text(1 + random(30));
      for (const word of wordsOf(text(1 + random(6)))) expect({ doc, word, found: found(doc, word) }).toEqual({ doc, word, found: d26(doc, word) });
    }
  });

  it('makes one term per distinct query word and none of a word-less query', () => {
    expect(queryTerms(['hel', 'hel', 'wor'])).toEqual(['whel', 'wwor']);
    expect(queryTerms([])).toEqual([]);
    expect(queryTerms([''])).toEqual([]);
  });
});

describe('the Audience as a Meilisearch filter (D3, D27, D34)', () => {
  it('super_admin: no filter', () => {
    expect(audienceFilter({ everything: true })).toBeNull();
  });

  it('an operator in groups without the All tab: his own, or unassigned in his groups; never blacklisted', () => {
    expect(audienceFilter({ everything: false, operatorId: OPERATOR, groupIds: [GROUP_A, GROUP_B], allTab: false })).toBe(
      `blacklisted = false AND (assigneeId = "${OPERATOR}" OR (groupId IN ["${GROUP_A}", "${GROUP_B}"] AND status = "unassigned"))`,
    );
  });

  it('an operator in no group without the All tab: his own, or unassigned anywhere; never blacklisted', () => {
    expect(audienceFilter({ everything: false, operatorId: OPERATOR, groupIds: null, allTab: false })).toBe(
      `blacklisted = false AND (assigneeId = "${OPERATOR}" OR (status = "unassigned"))`,
    );
  });

  it('with the All tab: everything in his groups, blacklisted too', () => {
    expect(audienceFilter({ everything: false, operatorId: OPERATOR, groupIds: [GROUP_A], allTab: true })).toBe(
      `(assigneeId = "${OPERATOR}" OR (groupId IN ["${GROUP_A}"]))`,
    );
  });

  it('with the All tab and no group: everything, so no filter', () => {
    expect(audienceFilter({ everything: false, operatorId: OPERATOR, groupIds: null, allTab: true })).toBeNull();
  });

  it('an empty group list scopes to nothing: only what he holds', () => {
    expect(audienceFilter({ everything: false, operatorId: OPERATOR, groupIds: [], allTab: false })).toBe(`blacklisted = false AND assigneeId = "${OPERATOR}"`);
    expect(audienceFilter({ everything: false, operatorId: OPERATOR, groupIds: [], allTab: true })).toBe(`assigneeId = "${OPERATOR}"`);
  });

  it('writes ids lower-case', () => {
    expect(audienceFilter({ everything: false, operatorId: OPERATOR.toUpperCase(), groupIds: [], allTab: true })).toBe(`assigneeId = "${OPERATOR}"`);
  });

  it('refuses anything but a uuid, so no text can change the filter', () => {
    const injection = `${GROUP_A}" OR blacklisted = true OR groupId = "x`;
    expect(() => audienceFilter({ everything: false, operatorId: injection, groupIds: null, allTab: false })).toThrow(/not a uuid/);
    expect(() => audienceFilter({ everything: false, operatorId: OPERATOR, groupIds: [GROUP_A, injection], allTab: false })).toThrow(/not a uuid/);
    expect(() => audienceFilter({ everything: false, operatorId: 'hello', groupIds: null, allTab: true })).toThrow(/not a uuid/);
    expect(() => uuidValue('')).toThrow(/not a uuid/);
  });
});

describe('times', () => {
  it('reads ISO-8601 times to the microsecond, with offsets, and writes them as the PostgreSQL engine does', () => {
    const micros = isoMicros('2026-03-04T05:06:07.123456Z');
    expect(isoFromMicros(micros)).toBe('2026-03-04T05:06:07.123456Z');
    expect(isoMicros('2026-03-04T07:06:07.123456+02:00')).toBe(micros);
    expect(isoMicros('2026-03-04T05:06:07.123Z')).toBe(micros - 456);
    expect(isoMicros('2026-03-04T05:06:07Z')).toBe(micros - 123456);
    expect(isoMicros('2026-03-04T05:06:07.1234567Z')).toBe(micros + 1); // rounded to the microsecond
    expect(isoFromMicros(isoMicros('2026-03-04T05:06:07Z'))).toBe('2026-03-04T05:06:07.000000Z');
    expect(() => isoMicros('yesterday')).toThrow(/ISO-8601/);
  });
});

describe('the paging cut', () => {
  const at = (iso: string): number => isoMicros(iso);
  const c = (id: string, iso: string): Candidate => ({ id, atUs: at(iso) });

  it('D26: a page starts strictly after the cursor: older, or as old with a smaller conversation id', () => {
    const cursor = cursorOf({ at: '2026-01-01T10:00:00.000000Z', conversationId: GROUP_B.toUpperCase() });
    expect(afterCursor(c(GROUP_A, '2026-01-01T10:00:00Z'), cursor)).toBe(true);
    expect(afterCursor(c(GROUP_B, '2026-01-01T10:00:00Z'), cursor)).toBe(false);
    expect(afterCursor(c('33333333-3333-4333-8333-333333333333', '2026-01-01T10:00:00Z'), cursor)).toBe(false);
    expect(afterCursor(c('33333333-3333-4333-8333-333333333333', '2026-01-01T09:59:59.999999Z'), cursor)).toBe(true);
    expect(afterCursor(c(GROUP_A, '2026-01-01T10:00:00.000001Z'), cursor)).toBe(false);
    expect(afterCursor(c(GROUP_A, '2026-01-01T10:00:00Z'), null)).toBe(true);
  });

  /** A stream over fixed batches, counting how many it was asked for. */
  const streamOf = (batches: Batch[]) => {
    const asked = { count: 0 };
    const stream = new CandidateStream(async () => batches[asked.count++] ?? { candidates: [], done: true });
    return { stream, asked };
  };

  it('merges both streams newest first, ties by conversation id, and cuts at the limit', async () => {
    const make = () => ({
      byMessages: streamOf([{ candidates: [c('a', '2026-01-05T00:00:00Z'), c('b', '2026-01-03T00:00:00Z')], done: false }, { candidates: [c('e', '2026-01-01T00:00:00Z')], done: true }]),
      byName: streamOf([{ candidates: [c('d', '2026-01-03T00:00:00Z'), c('c', '2026-01-02T00:00:00Z')], done: true }]),
    });
    const all = make();
    expect((await takePage([all.byMessages.stream, all.byName.stream], 10)).map((p) => p.id)).toEqual(['a', 'd', 'b', 'c', 'e']);
    const three = make();
    expect((await takePage([three.byMessages.stream, three.byName.stream], 3)).map((p) => p.id)).toEqual(['a', 'd', 'b']);
    // The page was full before the next batch was needed.
    expect(three.byMessages.asked.count).toBe(1);
  });

  it('fetches past batches emptied by the cursor and stops when both streams are done', async () => {
    const byMessages = streamOf([{ candidates: [], done: false }, { candidates: [c('a', '2026-01-01T00:00:00Z')], done: false }, { candidates: [], done: true }]);
    const byName = streamOf([{ candidates: [], done: true }]);
    expect((await takePage([byMessages.stream, byName.stream], 10)).map((p) => p.id)).toEqual(['a']);
    expect(byMessages.asked.count).toBe(3);
  });

  it('lists a conversation once even if both streams hold it', async () => {
    const one = streamOf([{ candidates: [c('a', '2026-01-02T00:00:00Z')], done: true }]);
    const two = streamOf([{ candidates: [c('a', '2026-01-01T00:00:00Z'), c('b', '2026-01-01T00:00:00Z')], done: true }]);
    expect((await takePage([one.stream, two.stream], 5)).map((p) => p.id)).toEqual(['a', 'b']);
  });

  it('an empty limit asks for nothing', async () => {
    const one = streamOf([{ candidates: [c('a', '2026-01-02T00:00:00Z')], done: true }]);
    expect(await takePage([one.stream], 0)).toEqual([]);
    expect(one.asked.count).toBe(0);
  });
});
