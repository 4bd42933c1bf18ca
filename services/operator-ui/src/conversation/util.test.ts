import { describe, expect, it } from 'vitest';
import { messageTime } from './util';

describe('messageTime', () => {
  const now = new Date(2026, 11, 7, 15, 0);
  it('D13: the time alone today, the day this year, and the year before that, so an old entry is never taken for a recent one', () => {
    const today = messageTime(new Date(2026, 11, 7, 9, 5).toISOString(), now);
    const thisYear = messageTime(new Date(2026, 2, 14, 9, 5).toISOString(), now);
    const lastYear = messageTime(new Date(2025, 2, 14, 9, 5).toISOString(), now);
    expect(today).not.toMatch(/14|2025|2026/);
    expect(thisYear).toMatch(/14/);
    expect(thisYear).not.toMatch(/2026/);
    expect(lastYear).toMatch(/2025/);
    expect(messageTime('not a time', now)).toBe('');
  });
});
