import type { DataSource } from 'typeorm';
import { isoTime, uuid, type AttachmentRef, type OutboundMessage } from '@relaydesk/contracts';
import type { Tx } from '@relaydesk/db';

/** One line of a visitor's conversation as the widget shows it: his own message (`in`) or an operator's reply (`out`). */
export type WebchatItem = {
  id: string;
  direction: 'in' | 'out';
  text: string | null;
  /** The visitor's own id for a message he sent, so a widget recognises what it sent. */
  clientMessageId?: string;
  attachment?: { fileName: string; mimeType: string; size: number; url: string };
  createdAt: string;
};

/** A line with its place in the visitor's stream (`seq`), where a reconnecting stream resumes. */
export type StreamItem = WebchatItem & { seq: string };

export type VisitorKey = { channelId: string; visitorId: string };

type Row = { id: string; direction: 'in' | 'out'; text: string | null; client_message_id: string | null; attachment: AttachmentRef | null; created_at: Date; seq?: string; cursor?: string };

/** The LISTEN/NOTIFY channel on which a committed line (a reply or the visitor's own) wakes the streams of every replica. */
export const REPLY_SIGNAL = 'ingestion_webchat_reply';

/**
 * Lines of one visitor are kept one at a time, so their `seq` order is their commit order and a
 * stream that read up to `seq` never finds an earlier line committed after it. The lock is taken in
 * the inserting statement, before the row's `seq` is drawn, and held until its transaction ends.
 */
const visitorLock = `SELECT pg_advisory_xact_lock(hashtext('webchat:' || $2::uuid || ':' || $3::text))`;

const attachmentPath = (channelId: string, messageId: string): string => `/ingest/v1/webchat/${channelId}/attachments/${messageId}`;

function toItem(channelId: string, r: Row): WebchatItem {
  return {
    id: r.id,
    direction: r.direction,
    text: r.text,
    ...(r.client_message_id !== null ? { clientMessageId: r.client_message_id } : {}),
    ...(r.attachment ? { attachment: { fileName: r.attachment.fileName, mimeType: r.attachment.mimeType, size: r.attachment.size, url: attachmentPath(channelId, r.id) } } : {}),
    createdAt: r.created_at.toISOString(),
  };
}

const encodeCursor = (at: string, id: string): string => Buffer.from(`${at}|${id}`).toString('base64url');

/** A website chat's name and whether it is switched on; undefined when there is no such chat. */
export async function webchatSwitch(tx: Tx, channelId: string): Promise<{ name: string; enabled: boolean } | undefined> {
  const [row] = await tx.query<{ name: string; enabled: boolean }[]>(`SELECT name, enabled FROM channel WHERE id = $1 AND type = 'webchat'`, [channelId]);
  return row;
}

/**
 * Keeps an operator's reply for the visitor and signals it, both in `tx`: PostgreSQL delivers the
 * signal only if the transaction commits. A reply kept before changes nothing.
 */
export async function saveWebchatReply(tx: Tx, m: OutboundMessage): Promise<void> {
  await tx.query(
    `WITH locked AS (${visitorLock}),
     kept AS (
       INSERT INTO webchat_reply (message_id, channel_id, visitor_id, text, attachment)
       SELECT $1::uuid, $2::uuid, $3::text, $4::text, $5::jsonb FROM locked
       ON CONFLICT DO NOTHING RETURNING message_id
     )
     SELECT pg_notify($6, $7) FROM kept`,
    [m.messageId, m.channelId, m.externalClientId, m.text ?? null, m.attachment ? JSON.stringify(m.attachment) : null, REPLY_SIGNAL, signalOf(m.channelId, m.externalClientId)],
  );
}

const signalOf = (channelId: string, visitorId: string): string => JSON.stringify({ channelId, visitorId } satisfies VisitorKey);

/** The widget's view of a conversation: what the visitor sent and what the operators answered. */
export class WebchatRepository {
  constructor(private readonly db: DataSource) {}

  /** Kept once per message id, however often the visitor retries it, and signalled to his other tabs' streams. */
  async saveVisitorMessage(visitor: VisitorKey, m: { id: string; clientMessageId: string; text?: string; attachment?: AttachmentRef }): Promise<void> {
    await this.db.query(
      `WITH locked AS (${visitorLock}),
       kept AS (
         INSERT INTO webchat_visitor_message (id, channel_id, visitor_id, client_message_id, text, attachment)
         SELECT $1::uuid, $2::uuid, $3::text, $4::text, $5::text, $6::jsonb FROM locked
         ON CONFLICT (id) DO NOTHING RETURNING id
       )
       SELECT pg_notify($7, $8) FROM kept`,
      [m.id, visitor.channelId, visitor.visitorId, m.clientMessageId, m.text ?? null, m.attachment ? JSON.stringify(m.attachment) : null, REPLY_SIGNAL, signalOf(visitor.channelId, visitor.visitorId)],
    );
  }

  /** Whether the visitor's message `id` is kept already. */
  async isKept(visitor: VisitorKey, id: string): Promise<boolean> {
    const rows = await this.db.query<unknown[]>('SELECT 1 FROM webchat_visitor_message WHERE id = $1 AND channel_id = $2 AND visitor_id = $3', [id, visitor.channelId, visitor.visitorId]);
    return rows.length > 0;
  }

  /** The newest `limit` items before `cursor` (or the newest of all), oldest first, and the cursor of the page before. */
  async history(visitor: VisitorKey, limit: number, cursor: { at: string; id: string } | undefined): Promise<{ items: WebchatItem[]; nextCursor: string | null }> {
    const rows = await this.db.query<Row[]>(
      `SELECT *, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor FROM (
         SELECT id, 'in' AS direction, text, client_message_id, attachment, created_at
           FROM webchat_visitor_message WHERE channel_id = $1 AND visitor_id = $2
         UNION ALL
         SELECT message_id, 'out', text, NULL, attachment, created_at
           FROM webchat_reply WHERE channel_id = $1 AND visitor_id = $2
       ) items
       WHERE $3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid)
       ORDER BY created_at DESC, id DESC LIMIT $5`,
      [visitor.channelId, visitor.visitorId, cursor?.at ?? null, cursor?.id ?? null, limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.reverse().map((r) => toItem(visitor.channelId, r)),
      nextCursor: rows.length > limit && last ? encodeCursor(last.cursor!, last.id) : null,
    };
  }

  /** The place of line `id` (a reply or the visitor's own) in the visitor's stream: '0' (before all) when he has no such line. */
  async seqOf(visitor: VisitorKey, id: string): Promise<string> {
    const [row] = await this.db.query<{ seq: string }[]>(
      `SELECT seq FROM webchat_reply WHERE message_id = $1 AND channel_id = $2 AND visitor_id = $3
       UNION ALL
       SELECT seq FROM webchat_visitor_message WHERE id = $1 AND channel_id = $2 AND visitor_id = $3`,
      [id, visitor.channelId, visitor.visitorId],
    );
    return row?.seq ?? '0';
  }

  /** The visitor's lines after `seq`, replies and his own, in the order they were kept. */
  async itemsAfter(visitor: VisitorKey, seq: string, limit: number): Promise<StreamItem[]> {
    const rows = await this.db.query<Row[]>(
      `SELECT message_id AS id, 'out' AS direction, text, NULL AS client_message_id, attachment, created_at, seq
         FROM webchat_reply WHERE channel_id = $1 AND visitor_id = $2 AND seq > $3::bigint
       UNION ALL
       SELECT id, 'in', text, client_message_id, attachment, created_at, seq
         FROM webchat_visitor_message WHERE channel_id = $1 AND visitor_id = $2 AND seq > $3::bigint
       ORDER BY seq LIMIT $4`,
      [visitor.channelId, visitor.visitorId, seq, limit],
    );
    return rows.map((r) => ({ ...toItem(visitor.channelId, r), seq: r.seq! }));
  }

  /** The file of line `messageId`, a reply to this visitor or his own message; undefined for anyone else's. */
  async attachmentOf(visitor: VisitorKey, messageId: string): Promise<AttachmentRef | undefined> {
    const [row] = await this.db.query<{ attachment: AttachmentRef }[]>(
      `SELECT attachment FROM webchat_reply WHERE message_id = $1 AND channel_id = $2 AND visitor_id = $3 AND attachment IS NOT NULL
       UNION ALL
       SELECT attachment FROM webchat_visitor_message WHERE id = $1 AND channel_id = $2 AND visitor_id = $3 AND attachment IS NOT NULL`,
      [messageId, visitor.channelId, visitor.visitorId],
    );
    return row?.attachment;
  }
}

export function decodeCursor(cursor: string): { at: string; id: string } | undefined {
  const [at, id, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (extra !== undefined || !isoTime.safeParse(at).success || !uuid.safeParse(id).success) return undefined;
  return { at: at!, id: id! };
}
