import { readingWithin } from './metrics';

describe('readingWithin', () => {
  it('answers what the work answers in time, and undefined when it fails or hangs', async () => {
    expect(await readingWithin(1_000, async () => 7)).toBe(7);
    expect(await readingWithin(1_000, () => Promise.reject(new Error('broker away')))).toBeUndefined();
    // Work that never ends: the reading gives up (else the test would time out).
    expect(await readingWithin(50, () => new Promise<number>(() => undefined))).toBeUndefined();
  });
});
