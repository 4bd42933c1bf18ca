import { useCallback, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { ChannelType, OperatorSummary, Page } from '../api/types';
import { useSession } from '../session';
import { addDays, browserTimeZone, bucketLabel, bucketRange, isPlainDate, isTimeZone, timeIn, timeZones, todayIn, type Interval } from './analytics-time';
import { messageOf, queryOf, useDebounced } from './common';
import './pages.css';

/** GET /analytics/tags (D25): zero-filled points per tag, totals, and the resolved period. */
export type TagPoint = { at: string; count: number };
export type TagSeries = { tagId: string; name: string; points: TagPoint[] };
export type TagAnalytics = { series: TagSeries[]; totals: { tagId: string; name: string; count: number }[]; from?: string; to?: string; interval?: Interval; tz?: string };

/** GET /analytics/tags/:tagId/messages items. */
export type TaggedMessage = {
  messageId: string;
  tagId: string;
  createdAt: string;
  taggedAt?: string;
  conversationId: string;
  clientName: string | null;
  channel: ChannelType;
  groupId?: string;
  assigneeId?: string | null;
  direction: 'in' | 'out';
  kind: 'text' | 'file' | 'note' | 'event';
  text: string | null;
  link: string;
};

const CHANNELS: [ChannelType, string][] = [
  ['whatsapp', 'WhatsApp'],
  ['telegram', 'Telegram'],
  ['webchat', 'Web chat'],
  ['api', 'API connector'],
];

type Filters = { from: string; to: string; interval: Interval; tz: string; groupId: string; operatorId: string; channel: string };

/** Bar `index` of tag `tagId`, and the period behind it. */
type Selection = { tagId: string; name: string; index: number; label: string; count: number; from: string; to: string };

function defaultFilters(): Filters {
  const tz = browserTimeZone();
  const today = todayIn(tz);
  return { from: addDays(today, -29), to: today, interval: 'day', tz, groupId: '', operatorId: '', channel: '' };
}

/** What is wrong with the filters, said before asking the server. */
function problemOf(f: Filters): string | undefined {
  if (!isPlainDate(f.from) || !isPlainDate(f.to)) return 'Choose a start and an end date.';
  if (f.from > f.to) return 'The start date must not be after the end date.';
  if (!isTimeZone(f.tz)) return `“${f.tz}” is not a time zone; use an IANA name such as Europe/Berlin.`;
  return undefined;
}

/** The query of the filters: `to` is the day after the last one shown (the API's `to` is exclusive). */
const paramsOf = (f: Filters) => ({ from: f.from, to: addDays(f.to, 1), interval: f.interval, tz: f.tz.trim(), groupId: f.groupId, operatorId: f.operatorId, channel: f.channel });

/** D25: a chart per tag over the chosen period and interval, filters, CSV, and the messages behind a bar. */
export function AnalyticsPage({ onOpenConversation }: { onOpenConversation?: (conversationId: string) => void } = {}) {
  const { api, me, groups } = useSession();
  const [filters, setFilters] = useState<Filters>(defaultFilters);
  const settled = useDebounced(filters, 300);
  const problem = problemOf(settled);
  const params = useMemo(() => paramsOf(settled), [settled]);
  const [data, setData] = useState<TagAnalytics>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();
  const [operators, setOperators] = useState<OperatorSummary[]>([]);
  const [csvBusy, setCsvBusy] = useState(false);
  const [csvError, setCsvError] = useState<string>();
  const [selection, setSelection] = useState<Selection>();
  const request = useRef(0);
  const zones = useMemo(timeZones, []);
  const ids = useId();

  // An operator in groups sees (and may narrow to) his groups only; others every group.
  const groupChoices = me.role !== 'super_admin' && me.groupIds.length > 0 ? groups.filter((g) => me.groupIds.includes(g.id)) : groups;

  useEffect(() => {
    let live = true;
    api
      .get<{ items: OperatorSummary[] }>('/operators')
      .then((answer) => live && setOperators(answer.items))
      .catch(() => live && setOperators([]));
    return () => {
      live = false;
    };
  }, [api]);

  const load = useCallback(async () => {
    const mine = ++request.current;
    setSelection(undefined);
    if (problem) {
      setLoading(false);
      return;
    }
    setLoading(true);
    setError(undefined);
    try {
      const answer = await api.get<TagAnalytics>(`/analytics/tags${queryOf(params)}`);
      if (mine === request.current) setData(answer);
    } catch (e) {
      if (mine === request.current) {
        setError(messageOf(e));
        setData(undefined);
      }
    } finally {
      if (mine === request.current) setLoading(false);
    }
  }, [api, params, problem]);

  useEffect(() => void load(), [load]);

  async function downloadCsv() {
    setCsvBusy(true);
    setCsvError(undefined);
    try {
      const csv = await api.text(`/analytics/tags${queryOf(params)}`, 'text/csv');
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = 'tag-analytics.csv';
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 0);
    } catch (e) {
      setCsvError(messageOf(e));
    } finally {
      setCsvBusy(false);
    }
  }

  const set = <K extends keyof Filters>(key: K, value: Filters[K]) => setFilters((f) => ({ ...f, [key]: value }));
  const shownProblem = problemOf(filters);
  const period = { from: data?.from ?? params.from, to: data?.to ?? params.to };
  const interval = data?.interval ?? settled.interval;
  const total = data?.totals.reduce((sum, t) => sum + t.count, 0) ?? 0;

  const select = (series: TagSeries, index: number) => {
    const point = series.points[index];
    if (!point) return;
    const range = bucketRange(series.points, index, { from: period.from, to: period.to });
    setSelection({ tagId: series.tagId, name: series.name, index, label: bucketLabel(point.at, interval, true), count: point.count, ...range });
  };

  return (
    <main className="page analytics-page" aria-labelledby={`${ids}-h`}>
      <h1 id={`${ids}-h`}>Tag analytics</h1>
      <form className="analytics-filters" aria-label="Period and filters" onSubmit={(e) => e.preventDefault()}>
        <label className="field">
          <span>From</span>
          <input type="date" value={filters.from} max={filters.to || undefined} onChange={(e) => set('from', e.target.value)} required />
        </label>
        <label className="field">
          <span>To (inclusive)</span>
          <input type="date" value={filters.to} min={filters.from || undefined} onChange={(e) => set('to', e.target.value)} required />
        </label>
        <label className="field">
          <span>Interval</span>
          <select value={filters.interval} onChange={(e) => set('interval', e.target.value as Interval)}>
            <option value="day">Day</option>
            <option value="week">Week</option>
            <option value="month">Month</option>
          </select>
        </label>
        <label className="field">
          <span>Time zone</span>
          <input value={filters.tz} onChange={(e) => set('tz', e.target.value)} list={zones.length ? `${ids}-zones` : undefined} spellCheck={false} aria-invalid={!isTimeZone(filters.tz)} />
        </label>
        {zones.length > 0 && (
          <datalist id={`${ids}-zones`}>
            {zones.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
        )}
        <label className="field">
          <span>Group</span>
          <select value={filters.groupId} onChange={(e) => set('groupId', e.target.value)}>
            <option value="">{groupChoices.length < groups.length ? 'All my groups' : 'All groups'}</option>
            {groupChoices.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Operator</span>
          <select value={filters.operatorId} onChange={(e) => set('operatorId', e.target.value)}>
            <option value="">All operators</option>
            {operators.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name || o.email || o.id}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Channel</span>
          <select value={filters.channel} onChange={(e) => set('channel', e.target.value)}>
            <option value="">All channels</option>
            {CHANNELS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <div className="filter-actions">
          <button type="button" onClick={() => void downloadCsv()} disabled={csvBusy || !!problem}>
            {csvBusy ? 'Preparing…' : 'Download CSV'}
          </button>
        </div>
      </form>
      {shownProblem && (
        <p role="alert" className="error">
          {shownProblem}
        </p>
      )}
      {csvError && (
        <p role="alert" className="error">
          Could not download the CSV: {csvError}
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error} <button onClick={() => void load()}>Try again</button>
        </p>
      )}
      <p role="status" aria-live="polite" className="muted">
        {loading ? 'Loading…' : data ? `${total} tagged message${total === 1 ? '' : 's'} in ${data.totals.length} tag${data.totals.length === 1 ? '' : 's'}` : ''}
      </p>

      {data && (
        <div className="analytics-body" aria-busy={loading}>
          {data.series.length === 0 ? (
            <p className="muted">No tagged messages in this period with these filters.</p>
          ) : (
            <>
              <section className="totals" aria-labelledby={`${ids}-totals`}>
                <h2 id={`${ids}-totals`}>Totals</h2>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Tag</th>
                      <th scope="col" className="num">
                        Messages
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.totals.map((t) => (
                      <tr key={t.tagId}>
                        <th scope="row" dir="auto">
                          {t.name}
                        </th>
                        <td className="num">{t.count}</td>
                      </tr>
                    ))}
                  </tbody>
                  <tfoot>
                    <tr>
                      <th scope="row">All tags</th>
                      <td className="num">{total}</td>
                    </tr>
                  </tfoot>
                </table>
              </section>
              <div className="charts">
                {data.series.map((series) => (
                  <TagChart
                    key={series.tagId}
                    series={series}
                    interval={interval}
                    total={data.totals.find((t) => t.tagId === series.tagId)?.count ?? series.points.reduce((s, p) => s + p.count, 0)}
                    selected={selection?.tagId === series.tagId ? selection.index : undefined}
                    onSelect={(index) => select(series, index)}
                  >
                    {selection?.tagId === series.tagId && (
                      <BucketMessages
                        key={`${selection.tagId}|${selection.from}|${selection.to}`}
                        selection={selection}
                        filters={params}
                        timeZone={params.tz}
                        onOpenConversation={onOpenConversation}
                        onClose={() => setSelection(undefined)}
                      />
                    )}
                  </TagChart>
                ))}
              </div>
            </>
          )}
        </div>
      )}

    </main>
  );
}

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

function BucketMessages({
  selection,
  filters,
  timeZone,
  onOpenConversation,
  onClose,
}: {
  selection: Selection;
  filters: Record<string, string>;
  timeZone: string;
  onOpenConversation?: (conversationId: string) => void;
  onClose: () => void;
}) {
  const { api } = useSession();
  const [items, setItems] = useState<TaggedMessage[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string>();
  const heading = useRef<HTMLHeadingElement>(null);
  const id = useId();

  const load = useCallback(
    async (cursor?: string) => {
      setLoading(true);
      setError(undefined);
      try {
        const { groupId, operatorId, channel } = filters;
        const page = await api.get<Page<TaggedMessage>>(
          `/analytics/tags/${encodeURIComponent(selection.tagId)}/messages${queryOf({ from: selection.from, to: selection.to, tz: timeZone, groupId, operatorId, channel, limit: 50, cursor })}`,
        );
        setItems((current) => (cursor ? [...current, ...page.items] : page.items));
        setNextCursor(page.nextCursor);
      } catch (e) {
        setError(messageOf(e));
      } finally {
        setLoading(false);
      }
    },
    [api, filters, selection.tagId, selection.from, selection.to, timeZone],
  );

  useEffect(() => void load(), [load]);
  useEffect(() => {
    heading.current?.focus();
    heading.current?.scrollIntoView?.({ block: 'nearest' });
  }, []);

  return (
    <section className="bucket-messages" aria-labelledby={`${id}-h`} onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <header>
        <h4 id={`${id}-h`} ref={heading} tabIndex={-1}>
          <span dir="auto">{selection.name}</span> · {selection.label}
          <span className="muted">
            {' '}
            — {selection.count} message{selection.count === 1 ? '' : 's'}
          </span>
        </h4>
        <button onClick={onClose} aria-label="Close the message list">
          Close
        </button>
      </header>
      {error && (
        <p role="alert" className="error">
          {error} <button onClick={() => void load()}>Try again</button>
        </p>
      )}
      {!loading && !error && items.length === 0 && <p className="muted">No messages behind this bar.</p>}
      <ul className="tagged-messages">
        {items.map((m) => (
          <li key={`${m.messageId}`}>
            <div className="tagged-meta">
              <strong dir="auto">{m.clientName || 'Unknown client'}</strong>
              <span className="muted">
                {CHANNELS.find(([c]) => c === m.channel)?.[1] ?? m.channel} · {m.kind === 'note' ? 'note' : m.direction === 'in' ? 'from the client' : 'from an operator'} · <time dateTime={m.createdAt}>{timeIn(m.createdAt, timeZone)}</time>
              </span>
            </div>
            <p className="tagged-text" dir="auto">
              {m.text ?? (m.kind === 'file' ? '(a file)' : '(no text)')}
            </p>
            {onOpenConversation ? (
              <a
                href={`#conversation/${m.conversationId}`}
                className="open-link"
                onClick={(e) => {
                  e.preventDefault();
                  onOpenConversation(m.conversationId);
                }}
              >
                Open conversation<span className="sr-only"> with {m.clientName || 'this client'}</span>
              </a>
            ) : null}
          </li>
        ))}
      </ul>
      <p role="status" aria-live="polite" className="muted">
        {loading ? 'Loading…' : ''}
      </p>
      {nextCursor && !loading && <button onClick={() => void load(nextCursor)}>Show more</button>}
    </section>
  );
}
