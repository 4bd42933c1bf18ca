import type { AnalyticsInterval, CallerIdentity, TagAnalyticsQuery, TagSeriesView } from '@relaydesk/contracts';
import type { BucketCount, TaggedMessageRepository } from '../store/tagged-message.repository';
import { analyticsScope } from './access';
import { bucketStarts, formatLocal, resolvePeriod } from './buckets';

export type TagAnalytics = TagSeriesView & { from: string; to: string; interval: AnalyticsInterval; tz: string };

/** D25: tagged messages per tag per bucket of the messages' time, in the caller's scope. */
export async function countTaggedMessages(store: Pick<TaggedMessageRepository, 'countByBucket'>, caller: CallerIdentity, query: TagAnalyticsQuery): Promise<TagAnalytics> {
  const groupIds = analyticsScope(caller, query.groupId);
  const period = resolvePeriod(query);
  const starts = bucketStarts(period, query.interval, query.tz);
  const counts = await store.countByBucket({ ...period, groupIds, operatorId: query.operatorId, channel: query.channel }, starts);
  return {
    from: formatLocal(period.fromMs, query.tz),
    to: formatLocal(period.toMs, query.tz),
    interval: query.interval,
    tz: query.tz,
    ...seriesOf(counts, starts, query.tz),
  };
}

/** Zero-filled series of the tags counted at least once, most counted first, then by name. */
export function seriesOf(counts: BucketCount[], starts: number[], timeZone: string): TagSeriesView {
  const tags = new Map<string, { tagId: string; name: string; counts: number[]; total: number }>();
  for (const c of counts) {
    let tag = tags.get(c.tagId);
    if (!tag) tags.set(c.tagId, (tag = { tagId: c.tagId, name: c.name, counts: starts.map(() => 0), total: 0 }));
    tag.counts[c.bucket - 1] = c.count;
    tag.total += c.count;
  }
  const ordered = [...tags.values()].filter((t) => t.total > 0).sort((a, b) => b.total - a.total || a.name.localeCompare(b.name) || a.tagId.localeCompare(b.tagId));
  const labels = starts.map((start) => formatLocal(start, timeZone));
  return {
    series: ordered.map((t) => ({ tagId: t.tagId, name: t.name, points: labels.map((at, i) => ({ at, count: t.counts[i]! })) })),
    totals: ordered.map((t) => ({ tagId: t.tagId, name: t.name, count: t.total })),
  };
}

/** The series as CSV rows: one per tag and bucket, after a header. */
export function seriesRows(view: TagSeriesView): (string | number)[][] {
  return [['bucket_start', 'tag_id', 'tag_name', 'count'], ...view.series.flatMap((s) => s.points.map((p) => [p.at, s.tagId, s.name, p.count]))];
}
