import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { bucketLabel, type Interval } from './analytics-time';
import type { TagSeries } from './analytics-types';

const PLOT_H = 140;
const TOP = 14;
const BOTTOM = 22;
const LEFT = 34;

/** One tag's bars: plain SVG, a bar per (zero-filled) bucket, keyboard-usable, with a table of the same numbers. */
export function TagChart({
  series,
  interval,
  total,
  selected,
  onSelect,
  children,
}: {
  series: TagSeries;
  interval: Interval;
  total: number;
  selected?: number;
  onSelect: (index: number) => void;
  children?: ReactNode;
}) {
  const id = useId();
  const n = series.points.length;
  const max = Math.max(1, ...series.points.map((p) => p.count));
  const slot = Math.max(10, Math.min(72, Math.floor(720 / Math.max(1, n))));
  const barW = Math.max(6, Math.round(slot * 0.7));
  const width = LEFT + n * slot + 8;
  const height = TOP + PLOT_H + BOTTOM;
  const labelEvery = Math.max(1, Math.ceil(56 / slot));
  const [focus, setFocus] = useState(selected ?? 0);
  const bars = useRef<(SVGGElement | null)[]>([]);
  const y = (count: number) => TOP + PLOT_H - (count / max) * PLOT_H;
  const mid = max >= 2 ? Math.round(max / 2) : undefined;
  const wasSelected = useRef(selected);
  useEffect(() => {
    // The message list closed: focus goes back to its bar rather than getting lost.
    if (wasSelected.current !== undefined && selected === undefined && (document.activeElement === document.body || document.activeElement === null)) bars.current[wasSelected.current]?.focus();
    wasSelected.current = selected;
  }, [selected]);

  const move = (event: KeyboardEvent<SVGGElement>, index: number) => {
    const to = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: n - 1 }[event.key];
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onSelect(index);
    } else if (to !== undefined) {
      event.preventDefault();
      const next = Math.max(0, Math.min(n - 1, to));
      setFocus(next);
      bars.current[next]?.focus();
    }
  };

  return (
    <section className="tag-chart" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>
        <span dir="auto">{series.name}</span> <span className="muted">· {total} message{total === 1 ? '' : 's'}</span>
      </h3>
      <div className="chart-scroll">
        <svg className="chart" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="group" aria-label={`${series.name}: messages per ${interval}. Choose a bar to list its messages.`}>
          <line className="axis" x1={LEFT} x2={width - 4} y1={y(0)} y2={y(0)} />
          {[max, mid].map(
            (v) =>
              v !== undefined && (
                <g key={v} aria-hidden="true">
                  <line className="grid" x1={LEFT} x2={width - 4} y1={y(v)} y2={y(v)} />
                  <text className="tick" x={LEFT - 6} y={y(v) + 4} textAnchor="end">
                    {v}
                  </text>
                </g>
              ),
          )}
          <text className="tick" x={LEFT - 6} y={y(0) + 4} textAnchor="end" aria-hidden="true">
            0
          </text>
          {series.points.map((p, i) => {
            const x = LEFT + i * slot + (slot - barW) / 2;
            const long = bucketLabel(p.at, interval, true);
            const label = `${long}: ${p.count} message${p.count === 1 ? '' : 's'}`;
            return (
              <g
                key={p.at}
                ref={(el) => {
                  bars.current[i] = el;
                }}
                className={`bar-slot${selected === i ? ' selected' : ''}`}
                role="button"
                tabIndex={i === (selected ?? focus) ? 0 : -1}
                aria-label={label}
                aria-pressed={selected === i}
                data-count={p.count}
                onClick={() => {
                  setFocus(i);
                  onSelect(i);
                }}
                onKeyDown={(e) => move(e, i)}
                onFocus={() => setFocus(i)}
              >
                <title>{label}</title>
                <rect className="hit" x={LEFT + i * slot} y={TOP} width={slot} height={PLOT_H} />
                <rect className={`bar${p.count === 0 ? ' zero' : ''}`} x={x} y={p.count === 0 ? y(0) - 1 : y(p.count)} width={barW} height={p.count === 0 ? 1 : (p.count / max) * PLOT_H} />
                {i % labelEvery === 0 && (
                  <text className="tick" x={LEFT + i * slot + slot / 2} y={height - 6} textAnchor="middle" aria-hidden="true">
                    {bucketLabel(p.at, interval)}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
      </div>
      {children}
      <details className="chart-table">
        <summary>Table view</summary>
        <table>
          <caption className="sr-only">{series.name} per {interval}</caption>
          <thead>
            <tr>
              <th scope="col">{interval === 'day' ? 'Day' : interval === 'week' ? 'Week' : 'Month'}</th>
              <th scope="col" className="num">
                Messages
              </th>
            </tr>
          </thead>
          <tbody>
            {series.points.map((p, i) => (
              <tr key={p.at} className={selected === i ? 'selected' : undefined}>
                <th scope="row">{bucketLabel(p.at, interval, true)}</th>
                <td className="num">
                  {p.count > 0 ? (
                    <button className="link" onClick={() => onSelect(i)} aria-label={`${p.count} — list the messages of ${bucketLabel(p.at, interval, true)}`}>
                      {p.count}
                    </button>
                  ) : (
                    0
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}
