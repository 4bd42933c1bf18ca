import { AppError } from '@relaydesk/service-kit';
import { bucketStarts, formatLocal, MAX_BUCKETS, resolveBound, resolvePeriod, startOfLocalDay } from './buckets';

const labels = (from: string, to: string, interval: 'day' | 'week' | 'month', tz: string) => bucketStarts(resolvePeriod({ from, to, tz }), interval, tz).map((s) => formatLocal(s, tz));

describe('tag analytics buckets', () => {
  it('D25: a plain date is that day’s start in the zone; an ISO time is taken as written', () => {
    expect(new Date(resolveBound('2026-03-29', 'Europe/Berlin')).toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(new Date(resolveBound('2026-03-30', 'Europe/Berlin')).toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(new Date(resolveBound('2026-07-01', 'America/New_York')).toISOString()).toBe('2026-07-01T04:00:00.000Z');
    expect(new Date(resolveBound('2026-03-29T10:00:00+05:30', 'Europe/Berlin')).toISOString()).toBe('2026-03-29T04:30:00.000Z');
  });

  it('D25: days across the spring and autumn clock changes start at local midnight with that day’s offset', () => {
    expect(labels('2026-03-28', '2026-03-31', 'day', 'Europe/Berlin')).toEqual(['2026-03-28T00:00:00+01:00', '2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00']);
    expect(labels('2026-10-24', '2026-10-27', 'day', 'Europe/Berlin')).toEqual(['2026-10-24T00:00:00+02:00', '2026-10-25T00:00:00+02:00', '2026-10-26T00:00:00+01:00']);
    expect(labels('2026-03-07', '2026-03-10', 'day', 'America/New_York')).toEqual(['2026-03-07T00:00:00-05:00', '2026-03-08T00:00:00-05:00', '2026-03-09T00:00:00-04:00']);
    expect(labels('2026-11-01', '2026-11-03', 'day', 'America/New_York')).toEqual(['2026-11-01T00:00:00-04:00', '2026-11-02T00:00:00-05:00']);
  });

  it('D25: the 23- and 25-hour days are one bucket each', () => {
    const [spring, next] = bucketStarts(resolvePeriod({ from: '2026-03-29', to: '2026-03-31', tz: 'Europe/Berlin' }), 'day', 'Europe/Berlin');
    expect(next! - spring!).toBe(23 * 3_600_000);
    const [autumn, after] = bucketStarts(resolvePeriod({ from: '2026-10-25', to: '2026-10-27', tz: 'Europe/Berlin' }), 'day', 'Europe/Berlin');
    expect(after! - autumn!).toBe(25 * 3_600_000);
  });

  it('D25: a day whose midnight is skipped starts when the clocks jump (America/Santiago, 2026-09-06 starts at 01:00)', () => {
    expect(formatLocal(startOfLocalDay({ year: 2026, month: 9, day: 6 }, 'America/Santiago'), 'America/Santiago')).toBe('2026-09-06T01:00:00-03:00');
    expect(labels('2026-09-05', '2026-09-08', 'day', 'America/Santiago')).toEqual(['2026-09-05T00:00:00-04:00', '2026-09-06T01:00:00-03:00', '2026-09-07T00:00:00-03:00']);
  });

  it('D25: weeks are ISO weeks starting Monday; the first bucket holds `from` and may start before it', () => {
    expect(labels('2026-03-25', '2026-04-07', 'week', 'Europe/Berlin')).toEqual(['2026-03-23T00:00:00+01:00', '2026-03-30T00:00:00+02:00', '2026-04-06T00:00:00+02:00']);
    // 2027-01-01 is a Friday: its ISO week starts on Monday 2026-12-28.
    expect(labels('2027-01-01', '2027-01-05', 'week', 'UTC')).toEqual(['2026-12-28T00:00:00+00:00', '2027-01-04T00:00:00+00:00']);
  });

  it('D25: months start on the 1st in the zone, across years and clock changes', () => {
    expect(labels('2026-02-15', '2026-04-01', 'month', 'America/New_York')).toEqual(['2026-02-01T00:00:00-05:00', '2026-03-01T00:00:00-05:00']);
    expect(labels('2026-11-30T23:30:00-05:00', '2027-01-01T00:00:01-05:00', 'month', 'America/New_York')).toEqual([
      '2026-11-01T00:00:00-04:00',
      '2026-12-01T00:00:00-05:00',
      '2027-01-01T00:00:00-05:00',
    ]);
  });

  it('D25: an instant near midnight falls in the day of its zone, not of UTC', () => {
    expect(labels('2026-06-30T23:30:00Z', '2026-07-01T00:30:00Z', 'day', 'Europe/Berlin')).toEqual(['2026-07-01T00:00:00+02:00']);
    expect(labels('2026-06-30T23:30:00Z', '2026-07-01T00:30:00Z', 'day', 'America/New_York')).toEqual(['2026-06-30T00:00:00-04:00']);
    expect(labels('2026-06-30T20:00:00Z', '2026-06-30T21:00:00Z', 'day', 'Asia/Kathmandu')).toEqual(['2026-07-01T00:00:00+05:45']);
  });

  it('D25: from ≥ to is refused with a clear message', () => {
    expect(() => resolvePeriod({ from: '2026-03-02', to: '2026-03-02', tz: 'UTC' })).toThrow(/from must be before to/);
    expect(() => resolvePeriod({ from: '2026-03-02T00:00:00+01:00', to: '2026-03-01T22:30:00Z', tz: 'UTC' })).toThrow(AppError);
  });

  it('D25: more than 1000 buckets is refused, naming the limit and a coarser interval; 1000 is fine', () => {
    const tenYears = resolvePeriod({ from: '2016-01-01', to: '2026-01-01', tz: 'Europe/Berlin' });
    expect(() => bucketStarts(tenYears, 'day', 'Europe/Berlin')).toThrow(/more than 1000 day buckets.*interval=week or month/);
    expect(bucketStarts(tenYears, 'week', 'Europe/Berlin')).toHaveLength(523);
    expect(bucketStarts(tenYears, 'month', 'Europe/Berlin')).toHaveLength(120);
    const exactly = resolvePeriod({ from: '2026-01-01T00:00:00Z', to: new Date(Date.parse('2026-01-01T00:00:00Z') + MAX_BUCKETS * 86_400_000).toISOString(), tz: 'UTC' });
    expect(bucketStarts(exactly, 'day', 'UTC')).toHaveLength(MAX_BUCKETS);
    const huge = resolvePeriod({ from: '0001-01-01', to: '9999-12-31', tz: 'UTC' });
    expect(() => bucketStarts(huge, 'month', 'UTC')).toThrow(/more than 1000 month buckets, .*; ask for a shorter period$/);
  });

  it('D25: times are written with the zone’s offset, milliseconds only when there are some', () => {
    expect(formatLocal(Date.parse('2026-01-15T12:34:56.789Z'), 'Asia/Kolkata')).toBe('2026-01-15T18:04:56.789+05:30');
    expect(formatLocal(Date.parse('2026-01-15T12:00:00Z'), 'America/St_Johns')).toBe('2026-01-15T08:30:00-03:30');
    expect(formatLocal(Date.parse('0001-01-01T00:00:00Z'), 'UTC')).toBe('0001-01-01T00:00:00+00:00');
  });
});
