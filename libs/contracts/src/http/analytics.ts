import { z } from 'zod';
import { channelType, isoTime, timeZone, uuid } from '../primitives';
import { pageQuery } from './paging';

export const analyticsIntervals = ['day', 'week', 'month'] as const;
export type AnalyticsInterval = (typeof analyticsIntervals)[number];

/** A time with its offset, or a date meaning that day's start in `tz`. `to` is exclusive. */
const bound = z.union([isoTime, z.iso.date({ message: 'must be an ISO-8601 time or a date (YYYY-MM-DD)' })]);

const filters = {
  from: bound,
  to: bound,
  tz: timeZone.default('UTC'),
  groupId: uuid.optional(),
  /** The operator who had the conversation when the message was tagged. */
  operatorId: uuid.optional(),
  channel: channelType.optional(),
};

/** D25: GET /analytics/tags. The service refuses `from` ≥ `to` and more buckets than it draws. */
export const tagAnalyticsQuery = z.strictObject({ ...filters, interval: z.enum(analyticsIntervals).default('day') });
export type TagAnalyticsQuery = z.infer<typeof tagAnalyticsQuery>;

/** D25: GET /analytics/tags/:tagId/messages, the messages behind a count. */
export const taggedMessagesQuery = pageQuery.extend(filters);
export type TaggedMessagesQuery = z.infer<typeof taggedMessagesQuery>;

export const tagSeriesView = z.object({
  series: z.array(z.object({ tagId: uuid, name: z.string(), points: z.array(z.object({ at: isoTime, count: z.number().int() })) })),
  totals: z.array(z.object({ tagId: uuid, name: z.string(), count: z.number().int() })),
});
export type TagSeriesView = z.infer<typeof tagSeriesView>;
