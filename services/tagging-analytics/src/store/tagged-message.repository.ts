import type { ChannelType, MessageTagged } from '@relaydesk/contracts';
import type { Cursor } from '@relaydesk/service-kit';
import type { DataSource } from 'typeorm';

export type TaggedMessage = {
  messageId: string;
  tagId: string;
  tagName: string;
  createdAt: string;
  taggedAt: string;
  conversationId: string;
  clientName: string;
  channel: ChannelType;
  groupId: string;
  assigneeId: string | null;
  taggedBy: string;
  direction: MessageTagged['messages'][number]['direction'];
  kind: MessageTagged['messages'][number]['kind'];
  text: string | null;
};

/** Which tagged messages count: created in [from, to), of these groups (all when absent), operator and channel. */
export type TaggedMessageFilter = { fromMs: number; toMs: number; groupIds?: string[]; operatorId?: string; channel?: ChannelType };

/** How many messages of one tag fall in one bucket; `bucket` is the 1-based position among the bucket starts. */
export type BucketCount = { tagId: string; name: string; bucket: number; count: number };

/** Conditions on the filter's columns, numbered after the parameters already in `params`. */
function whereOf(filter: TaggedMessageFilter, params: unknown[]): string {
  const add = (value: unknown) => `$${params.push(value)}`;
  const conditions = [`created_at >= ${add(new Date(filter.fromMs))}`, `created_at < ${add(new Date(filter.toMs))}`];
  if (filter.groupIds) conditions.push(filter.groupIds.length === 1 ? `group_id = ${add(filter.groupIds[0])}` : `group_id = ANY(${add(filter.groupIds)}::uuid[])`);
  if (filter.operatorId) conditions.push(`assignee_id = ${add(filter.operatorId)}`);
  if (filter.channel) conditions.push(`channel = ${add(filter.channel)}`);
  return conditions.join(' AND ');
}

const COLUMNS = `message_id AS "messageId", tag_id AS "tagId", tag_name AS "tagName", created_at AS "createdAt", tagged_at AS "taggedAt",
  conversation_id AS "conversationId", client_name AS "clientName", channel, group_id AS "groupId", assignee_id AS "assigneeId",
  tagged_by AS "taggedBy", direction, kind, text`;

export class TaggedMessageRepository {
  constructor(private readonly db: DataSource) {}

  /** Stores tagged messages once each: a (message, tag) already there is left as it is. */
  async add(rows: TaggedMessage[]): Promise<void> {
    if (rows.length === 0) return;
    const column = <K extends keyof TaggedMessage>(key: K) => rows.map((r) => r[key]);
    const tags = new Map(rows.map((r) => [r.tagId, r.tagName]));
    await this.db.transaction(async (tx) => {
      await tx.query('INSERT INTO tag (id, name) SELECT * FROM unnest($1::uuid[], $2::text[]) ON CONFLICT DO NOTHING', [[...tags.keys()], [...tags.values()]]);
      await tx.query(
        `INSERT INTO tagged_message (message_id, tag_id, tag_name, created_at, tagged_at, conversation_id, client_name, channel, group_id, assignee_id, tagged_by, direction, kind, text)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::uuid[], $7::text[], $8::text[], $9::uuid[], $10::uuid[], $11::uuid[], $12::text[], $13::text[], $14::text[])
         ON CONFLICT DO NOTHING`,
        [
          column('messageId'), column('tagId'), column('tagName'), column('createdAt'), column('taggedAt'), column('conversationId'), column('clientName'),
          column('channel'), column('groupId'), column('assigneeId'), column('taggedBy'), column('direction'), column('kind'), column('text'),
        ],
      );
    });
  }

  /** The SQL of `countByBucket`, also run raw by the bench. */
  static countSql(filter: TaggedMessageFilter, bucketStarts: number[]): { sql: string; params: unknown[] } {
    const params: unknown[] = [bucketStarts.map((ms) => new Date(ms))];
    const sql = `
      SELECT c.tag_id AS "tagId", t.name, c.bucket, c.count
      FROM (
        SELECT tag_id, width_bucket(created_at, $1::timestamptz[]) AS bucket, count(*)::int AS count
        FROM tagged_message
        WHERE ${whereOf(filter, params)}
        GROUP BY 1, 2
      ) c
      JOIN tag t ON t.id = c.tag_id`;
    return { sql, params };
  }

  /** Counts per tag and bucket, buckets given by their start instants in order; empty pairs are absent. */
  countByBucket(filter: TaggedMessageFilter, bucketStarts: number[]): Promise<BucketCount[]> {
    const { sql, params } = TaggedMessageRepository.countSql(filter, bucketStarts);
    return this.db.query(sql, params);
  }

  /** One tag's messages newest first, after `cursor` (created_at, message id), with each row's cursor key. */
  async pageOfTag(tagId: string, filter: TaggedMessageFilter, cursor: Cursor | undefined, limit: number): Promise<(TaggedMessage & { key: string })[]> {
    const params: unknown[] = [tagId];
    const after = cursor ? ` AND (created_at, message_id) < ($${params.push(cursor.key)}::timestamptz, $${params.push(cursor.id)}::uuid)` : '';
    const where = whereOf(filter, params);
    const rows: (Omit<TaggedMessage, 'createdAt' | 'taggedAt'> & { createdAt: Date; taggedAt: Date; key: string })[] = await this.db.query(
      `SELECT ${COLUMNS}, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS key
       FROM tagged_message
       WHERE tag_id = $1 AND ${where}${after}
       ORDER BY created_at DESC, message_id DESC
       LIMIT $${params.push(limit)}`,
      params,
    );
    return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString(), taggedAt: r.taggedAt.toISOString() }));
  }
}
