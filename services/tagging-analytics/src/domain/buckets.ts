import type { AnalyticsInterval } from '@relaydesk/contracts';
import { AppError } from '@relaydesk/service-kit';

/** More buckets than a chart can draw; ten years by day is refused, by week or month it is not. */
export const MAX_BUCKETS = 1000;

const DAY_MS = 86_400_000;
const PLAIN_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

type CalendarDate = { year: number; month: number; day: number };
type LocalTime = CalendarDate & { hour: number; minute: number; second: number };

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall-clock time in `timeZone` at an instant. */
function localTimeOf(instantMs: number, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of formatterOf(timeZone).formatToParts(new Date(instantMs))) parts[p.type] = p.value;
  const year = Number(parts['year']);
  return {
    year: parts['era'] === 'BC' ? 1 - year : year,
    month: Number(parts['month']),
    day: Number(parts['day']),
    hour: Number(parts['hour']),
    minute: Number(parts['minute']),
    second: Number(parts['second']),
  };
}

/** A wall-clock time read as if it were UTC: the arithmetic base for offsets and calendar steps. */
function asUtcMs({ year, month, day, hour = 0, minute = 0, second = 0 }: CalendarDate & Partial<LocalTime>): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

/** The zone's offset from UTC at an instant, in ms (+01:00 → 3,600,000). */
function offsetMsAt(instantMs: number, timeZone: string): number {
  const wholeSecond = Math.floor(instantMs / 1000) * 1000;
  return asUtcMs(localTimeOf(wholeSecond, timeZone)) - wholeSecond;
}

/**
 * The first instant whose wall-clock time in `timeZone` is at or after the start of `date`: its
 * midnight, the earlier one when clocks go back over midnight, or the end of the gap when a clock
 * change skips midnight (America/Santiago, Asia/Beirut).
 */
export function startOfLocalDay(date: CalendarDate, timeZone: string): number {
  const wall = asUtcMs(date);
  const offsets = [...new Set([offsetMsAt(wall - DAY_MS, timeZone), offsetMsAt(wall + DAY_MS, timeZone)])];
  const exact = offsets.map((o) => wall - o).filter((t) => offsetMsAt(t, timeZone) === wall - t);
  if (exact.length > 0) return Math.min(...exact);
  // Midnight does not exist: find the clock change, the first instant past it, to the second.
  let [low, high] = [Math.min(...offsets.map((o) => wall - o)), Math.max(...offsets.map((o) => wall - o))];
  while (high - low > 1000) {
    const middle = Math.floor((low + high) / 2000) * 1000;
    if (asUtcMs(localTimeOf(middle, timeZone)) >= wall) high = middle;
    else low = middle;
  }
  return high;
}

const calendarDateOf = (instantMs: number, timeZone: string): CalendarDate => {
  const { year, month, day } = localTimeOf(instantMs, timeZone);
  return { year, month, day };
};

function addDays(date: CalendarDate, days: number): CalendarDate {
  const d = new Date(asUtcMs(date) + days * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** The first day of the bucket holding `date`: itself, its ISO week's Monday, or the 1st of its month. */
function bucketDateOf(date: CalendarDate, interval: AnalyticsInterval): CalendarDate {
  switch (interval) {
    case 'day':
      return date;
    case 'week':
      return addDays(date, -((new Date(asUtcMs(date)).getUTCDay() + 6) % 7));
    case 'month':
      return { ...date, day: 1 };
  }
}

function nextBucketDate(date: CalendarDate, interval: AnalyticsInterval): CalendarDate {
  switch (interval) {
    case 'day':
      return addDays(date, 1);
    case 'week':
      return addDays(date, 7);
    case 'month':
      return date.month === 12 ? { year: date.year + 1, month: 1, day: 1 } : { ...date, month: date.month + 1 };
  }
}

/** A `from`/`to` of the query as an instant: an ISO time as written, a plain date as that day's start in `timeZone`. */
export function resolveBound(bound: string, timeZone: string): number {
  const date = PLAIN_DATE.exec(bound);
  if (date) return startOfLocalDay({ year: Number(date[1]), month: Number(date[2]), day: Number(date[3]) }, timeZone);
  return Date.parse(bound);
}

export type Period = { fromMs: number; toMs: number };

export function resolvePeriod(query: { from: string; to: string; tz: string }): Period {
  const period = { fromMs: resolveBound(query.from, query.tz), toMs: resolveBound(query.to, query.tz) };
  if (!(period.fromMs < period.toMs)) {
    throw new AppError('validation_failed', 'Invalid query: from must be before to (to is exclusive)', [{ path: 'from', message: 'must be before to' }]);
  }
  return period;
}

/**
 * The start instants of the buckets that meet [from, to), in order; the first may start before
 * `from`. Refuses more than MAX_BUCKETS.
 */
export function bucketStarts(period: Period, interval: AnalyticsInterval, timeZone: string): number[] {
  const starts: number[] = [];
  let date = bucketDateOf(calendarDateOf(period.fromMs, timeZone), interval);
  for (let start = startOfLocalDay(date, timeZone); start < period.toMs; start = startOfLocalDay(date, timeZone)) {
    if (starts.length === MAX_BUCKETS) {
      throw new AppError('validation_failed', `Invalid query: this period has more than ${MAX_BUCKETS} ${interval} buckets, the most one answer holds; ask for a shorter period${interval === 'month' ? '' : ` or interval=${interval === 'day' ? 'week or month' : 'month'}`}`, [
        { path: 'interval', message: `more than ${MAX_BUCKETS} buckets` },
      ]);
    }
    starts.push(start);
    date = nextBucketDate(date, interval);
  }
  return starts;
}

const pad = (n: number, width = 2): string => String(Math.abs(n)).padStart(width, '0');

/** An instant as the wall-clock time in `timeZone` with that zone's offset: 2026-03-29T00:00:00+01:00. */
export function formatLocal(instantMs: number, timeZone: string): string {
  const t = localTimeOf(instantMs, timeZone);
  const offsetMinutes = Math.round(offsetMsAt(instantMs, timeZone) / 60_000);
  const ms = ((instantMs % 1000) + 1000) % 1000;
  const year = t.year < 0 ? `-${pad(t.year, 6)}` : pad(t.year, 4);
  return (
    `${year}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}${ms ? `.${pad(ms, 3)}` : ''}` +
    `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.trunc(offsetMinutes / 60))}:${pad(offsetMinutes % 60)}`
  );
}
