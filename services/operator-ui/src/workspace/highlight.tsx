import { Fragment } from 'react';

/** A text with the search's `[start, end)` ranges (UTF-16 units) marked; everything renders as text. */
export function Highlighted({ text, ranges }: { text: string; ranges: [number, number][] | undefined }) {
  const sorted = [...(ranges ?? [])].filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
  const parts: { text: string; hit: boolean }[] = [];
  let at = 0;
  for (const [start, end] of sorted) {
    const s = Math.max(start, at);
    const e = Math.min(end, text.length);
    if (e <= s) continue;
    if (s > at) parts.push({ text: text.slice(at, s), hit: false });
    parts.push({ text: text.slice(s, e), hit: true });
    at = e;
  }
  if (at < text.length) parts.push({ text: text.slice(at), hit: false });
  return (
    <>
      {parts.map((p, i) => (
        <Fragment key={i}>{p.hit ? <mark>{p.text}</mark> : p.text}</Fragment>
      ))}
    </>
  );
}
