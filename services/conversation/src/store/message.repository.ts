import type { DeliveryStatus } from '@relaydesk/contracts';
import type { Tx } from '@relaydesk/db';
import type { Cursor } from '../domain/cursor';

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
});


/** Stores an operator message; with an idempotency key already used by him, returns the first one. */
export async function insertOperatorMessage(
  tx: Tx,
  m: { id: string; conversationId: string; channelId: string; operatorId: string; kind: 'text' | 'note'; text: string; idempotencyKey: string | undefined; createdAt: string },
): Promise<{ message: MessageRow; created: boolean }> {
  const inserted = await tx.query<Raw[]>(
    `INSERT INTO message (id, conversation_id, direction, kind, text, channel_id, sender_operator_id, idempotency_key, created_at)
     VALUES ($1, $2, 'out', $8, $3, $4, $5, $6, $7)
     ON CONFLICT (sender_operator_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
     RETURNING *`,
    [m.id, m.conversationId, m.text, m.channelId, m.operatorId, m.idempotencyKey ?? null, m.createdAt, m.kind],
  );
  if (inserted[0]) return { message: toRow(inserted[0]), created: true };
  const [first] = await tx.query<Raw[]>('SELECT * FROM message WHERE sender_operator_id = $1 AND idempotency_key = $2', [m.operatorId, m.idempotencyKey]);
  return { message: toRow(first!), created: false };
}

export async function listMessages(tx: Tx, conversationId: string, before: Cursor | undefined, limit: number): Promise<MessageRow[]> {
  const rows = await tx.query<Raw[]>(
    `SELECT * FROM message WHERE conversation_id = $1
       AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
     ORDER BY created_at DESC, id DESC LIMIT $4`,
    [conversationId, before?.key ?? null, before?.id ?? null, limit],
  );
  return rows.map(toRow).reverse();
}

const rank: Record<DeliveryStatus, number> = { sent: 1, delivered: 2, read: 3, failed: 2 };

/**
 * Records a channel's delivery status; statuses only move forward (sent → delivered → read), so a
 * late or repeated report changes nothing. Answers the message when its status changed.
 */
export async function recordDelivery(
  tx: Tx,
  d: { messageId: string; status: DeliveryStatus; at: string; error: { code: string; title: string } | null },
): Promise<MessageRow | undefined> {
  const lower = Object.entries(rank).filter(([, r]) => r < rank[d.status]).map(([s]) => s);
  const rows = await tx.query<[Raw[], number]>(
    `UPDATE message SET delivery_status = $2, delivery_error = $3, delivery_at = $4
     WHERE id = $1 AND direction = 'out' AND (delivery_status IS NULL OR delivery_status = ANY($5::text[]))
     RETURNING *`,
    [d.messageId, d.status, d.error ? JSON.stringify(d.error) : null, d.at, lower],
  );
  const changed = rows[0];
  return changed[0] && toRow(changed[0]);
}
