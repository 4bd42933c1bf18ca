/**
 * D26: how text becomes words and a query becomes the words it must match, the same for every
 * engine. A word is a run of letters, digits, combining marks or emoji; it is compared without case
 * and without accents ("Ünal" is "unal"), so "una" finds "Ünal" and "ÜNA" finds it too.
 */

/** One word of a text, before folding (highlighting walks the original text with it). */
// The joiner (ZWJ) and the emoji presentation selector stand outside the class: inside it they would
// read as one combined character (no-misleading-character-class).
export const WORD = /(?:[\p{L}\p{N}\p{M}\p{Extended_Pictographic}]|\u200d|\ufe0f)+/gu;

/** Lower case, accents and other combining marks dropped, compatibility forms folded ("ﬁ" → "fi"). */
export function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The distinct folded words of a text, in order of first appearance. */
export function wordsOf(text: string): string[] {
  return [...new Set(fold(text).match(WORD) ?? [])];
}

/** The least a query must hold after trimming (D26). */
export const MIN_QUERY_CHARS = 3;
/** Words beyond this many add nothing a person types; the rest are ignored. */
export const MAX_QUERY_WORDS = 10;
export const MAX_QUERY_CHARS = 200;
