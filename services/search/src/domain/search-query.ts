import { AppError } from '@relaydesk/service-kit';
import { MAX_QUERY_CHARS, MAX_QUERY_WORDS, MIN_QUERY_CHARS, wordsOf } from './words';

/** Characters as a person counts them: an emoji is one. */
const charCount = (s: string): number => [...s].length;

const refuse = (message: string): AppError => new AppError('validation_failed', `Invalid query: q: ${message}`, [{ path: 'q', message }]);

/**
 * D26: what a query must match. Under MIN_QUERY_CHARS (after trimming) or over MAX_QUERY_CHARS is
 * refused; a query of punctuation only has no word and finds nothing (not an error); words past
 * MAX_QUERY_WORDS are ignored.
 */
export function queryWords(q: string): string[] {
  const trimmed = q.trim();
  if (charCount(trimmed) < MIN_QUERY_CHARS) throw refuse(`must be at least ${MIN_QUERY_CHARS} characters (not counting spaces around it)`);
  if (charCount(trimmed) > MAX_QUERY_CHARS) throw refuse(`must be at most ${MAX_QUERY_CHARS} characters`);
  // A query string that is not UTF-8 reaches us with U+FFFD where its bad bytes were.
  if (trimmed.includes('\uFFFD')) throw refuse('must be valid UTF-8 text');
  return wordsOf(trimmed).slice(0, MAX_QUERY_WORDS);
}
