import { highlight } from './highlight';
import { wordsOf } from './words';

const marked = (text: string, query: string): string[] => highlight(text, wordsOf(query)).map(([start, end]) => text.slice(start, end));

describe('highlight', () => {
  it('D26: marks whole words that a query word starts, never a word it only appears inside', () => {
    expect(marked('Hello, shell hello!', 'hel')).toEqual(['Hello', 'hello']);
    expect(highlight('Hello, shell hello!', ['hel'])).toEqual([[0, 5], [13, 18]]);
  });

  it('D26: case and accents: "ÜNAL" marks "Ünal" in the original text', () => {
    expect(marked('Ünal Çelik and ünal', 'ÜNAL cel')).toEqual(['Ünal', 'Çelik', 'ünal']);
    // Decomposed accents (NFD) keep their marks inside the range.
    const nfd = 'Ünal'.normalize('NFD');
    expect(highlight(`hi ${nfd}`, ['unal'])).toEqual([[3, 3 + nfd.length]]);
  });

  it('D20: ranges are UTF-16 offsets: emoji before a word shift it by two units', () => {
    expect(highlight('🎉🎉 party 👩‍💻', wordsOf('part 👩‍💻'))).toEqual([
      [5, 10],
      [11, 16],
    ]);
    expect(marked('🎉 party', '🎉')).toEqual(['🎉']);
  });

  it('D26: Cyrillic and mixed scripts', () => {
    expect(marked('Привет, где мой заказ? Order 注文', 'зак ORD 注')).toEqual(['заказ', 'Order', '注文']);
  });

  it('no words, no ranges', () => {
    expect(highlight('anything', [])).toEqual([]);
  });
});
