import { randomUUID } from 'node:crypto';
import { decodeSearchCursor, encodeSearchCursor } from './search-cursor';

describe('search cursor', () => {
  const position = { at: '2026-01-01T10:00:00.123456Z', conversationId: randomUUID() };

  it('round-trips a position for the same words', () => {
    expect(decodeSearchCursor(encodeSearchCursor(position, ['hel', 'wor']), ['hel', 'wor'])).toEqual(position);
    expect(decodeSearchCursor(undefined, ['hel'])).toBeUndefined();
  });

  it('D33: a cursor of another query is refused', () => {
    const cursor = encodeSearchCursor(position, ['hel', 'wor']);
    for (const words of [['hel'], ['wor', 'hel'], ['hello', 'wor']]) {
      expect(() => decodeSearchCursor(cursor, words)).toThrow(expect.objectContaining({ code: 'validation_failed', details: [expect.objectContaining({ path: 'cursor' })] }));
    }
  });

  it('D33: garbage is refused with a validation error naming the cursor', () => {
    const garbage = ['x', '!!!', Buffer.from('[1,2,"h"]').toString('base64url'), Buffer.from(`["not a time","${randomUUID()}","h"]`).toString('base64url'), Buffer.from('{}').toString('base64url')];
    for (const raw of garbage) expect(() => decodeSearchCursor(raw, ['hel'])).toThrow(expect.objectContaining({ code: 'validation_failed' }));
  });
});
