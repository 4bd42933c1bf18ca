import type { ChannelType } from '../api/types';
import { CHANNEL_NAME } from '../workspace/format';
import type { Interval } from './analytics-time';

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

/** Bar `index` of tag `tagId`, and the period behind it. */
export type Selection = { tagId: string; name: string; index: number; label: string; count: number; from: string; to: string };

/** The channel filter's choices, by the names the whole app uses. */
export const CHANNELS = Object.entries(CHANNEL_NAME) as [ChannelType, string][];
