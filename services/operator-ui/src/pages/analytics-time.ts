/** Plain dates (YYYY-MM-DD) and bucket labels for the tag analytics page. */

export type Interval = 'day' | 'week' | 'month';

const DAY_MS = 86_400_000;

/** The browser's time zone, or UTC when it cannot tell. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

export function isTimeZone(name: string): boolean {
  if (!name.trim()) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name.trim() });
    return true;
  } catch {
    return false;
  }
}

export function timeZones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [];
  }
}

/** Today's date in `timeZone`, as YYYY-MM-DD. */
export function todayIn(timeZone: string, now = new Date()): string {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  } catch {
    return now.toISOString().slice(0, 10);
  }
}

export function isPlainDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
}

/** A plain date moved by whole days. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The calendar date a bucket's `at` (wall-clock time of the asked zone, with its offset) starts on. */
const dateOf = (at: string): Date => new Date(`${at.slice(0, 10)}T00:00:00Z`);

/** How a bucket reads: short under a bar, long in its title and the table. */
export function bucketLabel(at: string, interval: Interval, long = false): string {
  const date = dateOf(at);
  if (Number.isNaN(date.getTime())) return at;
  const format = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', ...options }).format(date);
  switch (interval) {
    case 'day':
      return long ? format({ weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }) : format({ day: 'numeric', month: 'short' });
    case 'week':
      return long ? `Week of ${format({ day: 'numeric', month: 'short', year: 'numeric' })}` : format({ day: 'numeric', month: 'short' });
    case 'month':
      return long ? format({ month: 'long', year: 'numeric' }) : format({ month: 'short', year: '2-digit' });
  }
}

/** An instant shown in `timeZone` (the zone the analytics were asked in). */
export function timeIn(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat(undefined, { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(date);
  } catch {
    return date.toLocaleString();
  }
}

/**
 * The period behind bar `index`: from its start (or the period's start, when the first bucket
 * began earlier) to the next bucket's start (or the period's end). Times keep their offsets.
 */
export function bucketRange(points: { at: string }[], index: number, period: { from: string; to: string }): { from: string; to: string } {
  const start = points[index]?.at ?? period.from;
  const end = points[index + 1]?.at ?? period.to;
  const later = (a: string, b: string) => (instant(a) >= instant(b) ? a : b);
  const earlier = (a: string, b: string) => (instant(a) <= instant(b) ? a : b);
  return { from: later(start, period.from), to: earlier(end, period.to) };
}

/** An ISO time, or a plain date read as UTC midnight (only used to compare with bucket starts of the same answer). */
function instant(value: string): number {
  return Date.parse(isPlainDate(value) ? `${value}T00:00:00Z` : value);
}
