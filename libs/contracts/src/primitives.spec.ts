import { isoTime, messageText, personName, storableString, typedName, typedText, withStorableText } from './primitives';

describe('text PostgreSQL stores as given', () => {
  it('D20: any Unicode is storable, emoji and paired surrogates included; NUL and an unpaired surrogate are not (D33)', () => {
    expect(storableString.safeParse('Привет 👋🏽 日本語 שלום').success).toBe(true);
    for (const bad of ['a\u0000b', 'x\uD800', '\uDC00y', 'ok\uDE00\uD83D'])
      expect(storableString.safeParse(bad).error?.issues.map((i) => i.message)).toEqual(['must not contain NUL characters or unpaired surrogates']);
    expect(messageText.safeParse('\u0000').success).toBe(false);
    expect(personName.safeParse(' Zoë\uD800 ').success).toBe(false);
  });

  it('D20: a platform payload keeps every character PostgreSQL can store; NUL and unpaired surrogates become U+FFFD, in keys too', () => {
    const sent = { text: 'Wo\u0000 ist 📦\uD83D?', names: ['An\uDC00na', 'Zoë'], 'k\u0000': 1, n: null, ok: true };
    expect(withStorableText(sent)).toEqual({ text: 'Wo\uFFFD ist 📦\uFFFD?', names: ['An\uFFFDna', 'Zoë'], 'k\uFFFD': 1, n: null, ok: true });
    expect(withStorableText('👋🏽')).toBe('👋🏽');
  });
});

describe('times PostgreSQL stores', () => {
  it('D33: an ISO-8601 time is taken from the year 0001 on and with an offset up to 14 hours, which PostgreSQL refuses beyond', () => {
    for (const good of ['0001-01-01T00:00:00Z', '2026-12-07T18:41:17.123Z', '2026-01-01T00:00:00+14:00', '2026-01-01T00:00:00-12:00', '9999-12-31T23:59:59Z'])
      expect([good, isoTime.safeParse(good).success]).toEqual([good, true]);
    for (const bad of ['0000-01-01T00:00:00Z', '2026-01-01T00:00:00+16:00', '2026-02-30T00:00:00Z', '2026-01-01', 'yesterday'])
      expect([bad, isoTime.safeParse(bad).success]).toEqual([bad, false]);
  });
});

describe('what people type', () => {
  it('D33: a text or name that shows nothing is refused as blank, once; a platform’s blank name is kept', () => {
    const issues = (r: { error?: { issues: { message: string }[] } }) => r.error?.issues.map((i) => i.message);
    for (const blank of ['   ', '\n\t\u00a0', '\u3000', '\u200b', '\u200d\ufeff ', '\u2060']) {
      expect(issues(typedText.safeParse(blank))).toEqual(['must not be blank']);
      expect(issues(typedName.safeParse(blank))).toEqual(blank.trim() ? ['must not be blank'] : [expect.any(String)]);
    }
    expect(issues(typedText.safeParse(''))).toHaveLength(1);
    for (const shown of ['hi', '👍', '👨\u200d👩\u200d👧', ' ok ', '\u200bx']) expect(typedText.safeParse(shown).success).toBe(true);
    expect(personName.safeParse('\u200b').success).toBe(true);
  });
});
