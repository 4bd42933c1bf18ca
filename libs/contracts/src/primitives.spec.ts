import { messageText, personName, storableString, withStorableText } from './primitives';

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
