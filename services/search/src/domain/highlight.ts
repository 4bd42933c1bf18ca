import { WORD, wordsOf } from './words';

/** `[start, end)` in UTF-16 code units of the original text, as JavaScript's `slice` takes them. */
export type Range = [start: number, end: number];

/**
 * D26: where a text shows the query: every word of the original text that one of the query's
 * words starts (compared folded, so "ÜNAL" marks "Ünal"), as whole words, in order.
 */
export function highlight(text: string, queryWords: string[]): Range[] {
  const ranges: Range[] = [];
  if (queryWords.length === 0) return ranges;
  for (const match of text.matchAll(WORD)) {
    const found = wordsOf(match[0]).some((word) => queryWords.some((q) => word.startsWith(q)));
    if (found) ranges.push([match.index, match.index + match[0].length]);
  }
  return ranges;
}
