import { randomUUID } from 'node:crypto';
import { decodeCursor, encodeCursor } from '../src/cursor';

describe('cursor', () => {
  it('round-trips a position', () => {
    const c = { key: new Date().toISOString(), id: randomUUID() };
    expect(decodeCursor(encodeCursor(c, 'all'), 'all')).toEqual(c);
  });

  it('D33: refuses garbage with a validation error naming the cursor', () => {
    const other = encodeCursor({ key: new Date().toISOString(), id: randomUUID() }, 'unassigned');
    for (const bad of ['x', other, Buffer.from('[1,2,"all"]').toString('base64url'), Buffer.from('["1","------------------------------------","all"]').toString('base64url')]) {
      expect(() => decodeCursor(bad, 'all')).toThrow(expect.objectContaining({ code: 'validation_failed', details: [expect.objectContaining({ path: 'cursor' })] }));
    }
  });
});
