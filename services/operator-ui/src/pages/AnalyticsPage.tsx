import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { OperatorSummary } from '../api/types';
import { useSession } from '../session';
import { addDays, browserTimeZone, bucketLabel, bucketRange, isPlainDate, isTimeZone, timeZones, todayIn, type Interval } from './analytics-time';
import { messageOf, queryOf, useDebounced } from './common';
import { CHANNELS, type Selection, type TagAnalytics, type TagSeries } from './analytics-types';
import { BucketMessages } from './BucketMessages';
import { TagChart } from './TagChart';
import './pages.css';
import { NamedOptions } from '../NamedOptions';

export type { TagAnalytics, TaggedMessage } from './analytics-types';


type Filters = { from: string; to: string; interval: Interval; tz: string; groupId: string; operatorId: string; channel: string };


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
      // The charts of the last good query would read as the answer to this one.
      setData(undefined);
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
            <NamedOptions items={groupChoices} />
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
