/** Cuts a text into parts of at most `max` UTF-16 code units, at a line break or space when one is near. */
export function splitText(text: string, max: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf('\n', max);
    if (cut < max / 2) cut = rest.lastIndexOf(' ', max);
    const atSpace = cut >= max / 2;
    if (!atSpace) cut = /[\uD800-\uDBFF]/.test(rest.charAt(max - 1)) ? max - 1 : max; // never split an emoji's surrogate pair
    parts.push(rest.slice(0, cut));
    rest = rest.slice(atSpace ? cut + 1 : cut);
  }
  return [...parts, rest].filter((p) => p.length > 0);
}
