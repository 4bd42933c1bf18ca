import type { ChannelType, DeliveryStatus } from '@relaydesk/contracts';
import type { Tx } from '@relaydesk/db';
import type { Cursor } from '@relaydesk/service-kit';
import { ATTACHMENT_JSON, toAttachment, type AttachmentRow } from './attachment.repository';
import { TAGS_JSON } from './tag.repository';

export type MessageRow = {
  id: string;
  conversationId: string;
  direction: 'in' | 'out';
  kind: 'text' | 'file' | 'note' | 'event';
  text: string | null;
  senderOperatorId: string | null;
  createdAt: string;
  deliveryStatus: DeliveryStatus | null;
  deliveryError: { code: string; title: string } | null;
  /** Read where the query joined it (SELECT_MESSAGE); undefined elsewhere. */
  attachment?: AttachmentRow | null;
  /** D24, read where the query joined them (SELECT_MESSAGE); a message just stored has none. */
  tags?: { id: string; name: string }[];
};

type Raw = Record<string, unknown>;
const toRow = (r: Raw): MessageRow => ({
  id: r['id'] as string,
  conversationId: r['conversation_id'] as string,
  direction: r['direction'] as MessageRow['direction'],
  kind: r['kind'] as MessageRow['kind'],
  text: r['text'] as string | null,
  senderOperatorId: r['sender_operator_id'] as string | null,
  createdAt: (r['created_at'] as Date).toISOString(),
  deliveryStatus: r['delivery_status'] as DeliveryStatus | null,
  deliveryError: r['delivery_error'] as MessageRow['deliveryError'],
  ...('attachment' in r ? { attachment: r['attachment'] ? toAttachment(r['attachment'] as Raw) : null } : {}),
  ...('tags' in r ? { tags: r['tags'] as { id: string; name: string }[] } : {}),
});

const SELECT_MESSAGE = `SELECT m.*, ${ATTACHMENT_JSON}, ${TAGS_JSON} FROM message m LEFT JOIN attachment a ON a.message_id = m.id`;

/** Stores an operator message; with an idempotency key already used by him, returns the first one. */
export async function insertOperatorMessage(
  tx: Tx,
  m: { id: string; conversationId: string; channelId: string; operatorId: string; kind: 'text' | 'file' | 'note'; text: string | null; idempotencyKey: string | undefined; createdAt: string },
): Promise<{ message: MessageRow; created: boolean }> {
  const inserted = await tx.query<Raw[]>(
    `INSERT INTO message (id, conversation_id, direction, kind, text, channel_id, sender_operator_id, idempotency_key, created_at)
     VALUES ($1, $2, 'out', $8, $3, $4, $5, $6, $7)
     ON CONFLICT (sender_operator_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
     RETURNING *`,
    [m.id, m.conversationId, m.text, m.channelId, m.operatorId, m.idempotencyKey ?? null, m.createdAt, m.kind],
  );
  if (inserted[0]) return { message: toRow(inserted[0]), created: true };
  return { message: (await findByIdempotencyKey(tx, m.operatorId, m.idempotencyKey!))!, created: false };
}

/** The message an operator's Idempotency-Key already made, if any. */
export async function findByIdempotencyKey(tx: Tx, operatorId: string, idempotencyKey: string): Promise<MessageRow | undefined> {
  const [first] = await tx.query<Raw[]>(`${SELECT_MESSAGE} WHERE m.sender_operator_id = $1 AND m.idempotency_key = $2`, [operatorId, idempotencyKey]);
  return first && toRow(first);
}

export async function listMessages(tx: Tx, conversationId: string, before: Cursor | undefined, limit: number): Promise<MessageRow[]> {
  const rows = await tx.query<Raw[]>(
    `${SELECT_MESSAGE} WHERE m.conversation_id = $1
       AND ($2::timestamptz IS NULL OR (m.created_at, m.id) < ($2::timestamptz, $3::uuid))
     ORDER BY m.created_at DESC, m.id DESC LIMIT $4`,
    [conversationId, before?.key ?? null, before?.id ?? null, limit],
  );
  return rows.map(toRow).reverse();
}

/** These messages of the conversation, oldest first; ids of other conversations are left out. */
export async function messagesByIds(tx: Tx, conversationId: string, ids: string[]): Promise<MessageRow[]> {
  const rows = await tx.query<Raw[]>(`${SELECT_MESSAGE} WHERE m.conversation_id = $1 AND m.id = ANY($2::uuid[]) ORDER BY m.created_at, m.id`, [conversationId, ids]);
  return rows.map(toRow);
}

/** The newest `limit` messages of these kinds, oldest first, and how many older ones there are besides. */
export async function newestMessages(tx: Tx, conversationId: string, kinds: MessageRow['kind'][], limit: number): Promise<{ messages: MessageRow[]; older: number }> {
  const rows = await tx.query<Raw[]>(
    `${SELECT_MESSAGE} WHERE m.conversation_id = $1 AND m.kind = ANY($2::text[]) ORDER BY m.created_at DESC, m.id DESC LIMIT $3`,
    [conversationId, kinds, limit],
  );
  const [counted] = await tx.query<{ count: number }[]>(`SELECT count(*)::int AS count FROM message WHERE conversation_id = $1 AND kind = ANY($2::text[])`, [conversationId, kinds]);
  return { messages: rows.map(toRow).reverse(), older: Math.max(0, (counted?.count ?? 0) - rows.length) };
}

/** Every message of these conversations, oldest first within each (for an export). */
export async function messagesOf(tx: Tx, conversationIds: string[]): Promise<MessageRow[]> {
  const rows = await tx.query<Raw[]>(`${SELECT_MESSAGE} WHERE m.conversation_id = ANY($1::uuid[]) ORDER BY m.conversation_id, m.created_at, m.id`, [conversationIds]);
  return rows.map(toRow);
}

const rank: Record<DeliveryStatus, number> = { sent: 1, delivered: 2, read: 3, failed: 2 };

/**
 * Records a channel's delivery status; statuses only move forward (sent → delivered → read), so a
 * late or repeated report changes nothing. Answers the message when its status changed.
 */
export async function recordDelivery(
  tx: Tx,
  d: { messageId: string; channel: ChannelType; status: DeliveryStatus; at: string; error: { code: string; title: string } | null },
): Promise<MessageRow | undefined> {
  const lower = Object.entries(rank).filter(([, r]) => r < rank[d.status]).map(([s]) => s);
  const rows = await tx.query<[Raw[], number]>(
    `UPDATE message SET delivery_status = $2, delivery_error = $3, delivery_at = $4
     WHERE id = $1 AND direction = 'out' AND (delivery_status IS NULL OR delivery_status = ANY($5::text[]))
       AND EXISTS (SELECT 1 FROM conversation c JOIN client ON client.id = c.client_id WHERE c.id = message.conversation_id AND client.channel = $6)
     RETURNING *`,
    [d.messageId, d.status, d.error ? JSON.stringify(d.error) : null, d.at, lower, d.channel],
  );
  const changed = rows[0];
  return changed[0] && toRow(changed[0]);
}
