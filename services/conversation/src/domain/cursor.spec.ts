import { randomUUID } from 'node:crypto';
import { decodeCursor, encodeCursor } from './cursor';

describe('cursor', () => {
  it('round-trips a position', () => {
    const c = { at: new Date().toISOString(), id: randomUUID() };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
  });

  it('D33: refuses garbage with a validation error naming the cursor', () => {
    for (const bad of ['x', Buffer.from('[1,2]').toString('base64url'), Buffer.from('["not a time","id"]').toString('base64url')]) {
      expect(() => decodeCursor(bad)).toThrow(expect.objectContaining({ code: 'validation_failed', details: [expect.objectContaining({ path: 'cursor' })] }));
    }
  });
});
