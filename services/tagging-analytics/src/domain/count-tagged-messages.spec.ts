import { randomUUID } from 'node:crypto';
import { seriesOf, seriesRows } from './count-tagged-messages';

describe('tag series', () => {
  const starts = [Date.parse('2026-03-28T23:00:00Z'), Date.parse('2026-03-29T22:00:00Z'), Date.parse('2026-03-30T22:00:00Z')];
  const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];

  it('D25: zero-filled points per bucket, totals, ordered by total then name; CSV rows per tag and bucket', () => {
    const view = seriesOf(
      [
        { tagId: b, name: 'billing', bucket: 2, count: 3 },
        { tagId: a, name: 'angry', bucket: 1, count: 1 },
        { tagId: a, name: 'angry', bucket: 3, count: 2 },
        { tagId: c, name: 'zeta', bucket: 3, count: 5 },
      ],
      starts,
      'Europe/Berlin',
    );
    expect(view.totals).toEqual([
      { tagId: c, name: 'zeta', count: 5 },
      { tagId: a, name: 'angry', count: 3 },
      { tagId: b, name: 'billing', count: 3 },
    ]);
    expect(view.series[1]).toEqual({
      tagId: a,
      name: 'angry',
      points: [
        { at: '2026-03-29T00:00:00+01:00', count: 1 },
        { at: '2026-03-30T00:00:00+02:00', count: 0 },
        { at: '2026-03-31T00:00:00+02:00', count: 2 },
      ],
    });
    const rows = seriesRows(view);
    expect(rows[0]).toEqual(['bucket_start', 'tag_id', 'tag_name', 'count']);
    expect(rows).toHaveLength(1 + 3 * 3);
    expect(rows[1]).toEqual(['2026-03-29T00:00:00+01:00', c, 'zeta', 0]);
  });

  it('D25: no counts, no series', () => {
    expect(seriesOf([], starts, 'UTC')).toEqual({ series: [], totals: [] });
  });
});
