import { describe, expect, it } from 'vitest';
import { messageTime, recipientsOf } from './util';

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

describe('recipientsOf', () => {
  it('D23: addresses bare or as Name <address>, by comma, semicolon, line or space; the first that is none is named', () => {
    expect(recipientsOf('boss@example.com, Лиза <liza@example.com>; a@b.de c@d.org\nÜlla Ölm <u@x.com>')).toEqual({ addresses: ['boss@example.com', 'liza@example.com', 'a@b.de', 'c@d.org', 'u@x.com'] });
    expect(recipientsOf('boss@example.com, liza')).toEqual({ addresses: ['boss@example.com'], bad: 'liza' });
    expect(recipientsOf('Лиза <not an address>').bad).toBe('Лиза <not an address>');
    expect(recipientsOf('  ')).toEqual({ addresses: [] });
  });
});

