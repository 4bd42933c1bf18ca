import { queryWords } from './search-query';

const refused = (q: string) => {
  try {
    queryWords(q);
  } catch (error) {
    return error as { code: string; message: string; details: { path: string }[] };
  }
  throw new Error(`"${q}" was accepted`);
};

describe('queryWords', () => {
  it('D26: fewer than 3 characters after trimming is refused with a clear message', () => {
    for (const q of ['', 'ab', '   ', '  ab  ', '😀😀']) {
      expect(refused(q)).toMatchObject({ code: 'validation_failed', details: [{ path: 'q' }] });
    }
    expect(refused('ab').message).toBe('Invalid query: q: must be at least 3 characters (not counting spaces around it)');
  });

  it('D26: over 200 characters is refused', () => {
    expect(queryWords('a'.repeat(200))).toEqual(['a'.repeat(200)]);
    expect(refused('a'.repeat(201)).message).toMatch(/at most 200 characters/);
    expect(refused('a'.repeat(10_000)).code).toBe('validation_failed');
  });

  it('D26: words are folded (case, accents), deduplicated, in order; emoji and any script are words', () => {
    expect(queryWords('  ÜNAL unal Çelik  ')).toEqual(['unal', 'celik']);
    expect(queryWords('Привет 🎉 注文')).toEqual(['привет', '🎉', '注文']);
  });

  it('D33: punctuation, quotes and query syntax are no words: they leave the words around them, or nothing', () => {
    expect(queryWords("' OR 1=1 --")).toEqual(['or', '1']);
    expect(queryWords('groupId = x OR 1')).toEqual(['groupid', 'x', 'or', '1']);
    expect(queryWords('.*[(')).toEqual([]);
    expect(queryWords('"""\'\'')).toEqual([]);
  });

  it('at most MAX_QUERY_WORDS words count', () => {
    expect(queryWords('a b c d e f g h i j k l m')).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']);
  });

  it('D33: a query that was not UTF-8 (U+FFFD where its bytes were) is refused', () => {
    expect(refused('\uFFFD(abc').message).toMatch(/UTF-8/);
  });
});
