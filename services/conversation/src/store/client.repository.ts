import type { ConversationState } from '@relaydesk/contracts';
import type { Tx } from '@relaydesk/db';

export type ClientRow = {
  id: string;
  name: string;
  originalName: string;
  channel: string;
  channelId: string;
  externalId: string;
  phone: string | null;
  note: string;
  blacklisted: boolean;
  blockedMessages: number;
  pinnedOperatorId: string | null;
  conversation: ConversationState & { id: string };
};

type Raw = Record<string, unknown>;
const toRow = (r: Raw): ClientRow => ({
  id: r['id'] as string,
  name: r['name'] as string,
  originalName: r['original_name'] as string,
  channel: r['channel'] as string,
  channelId: r['channel_id'] as string,
  externalId: r['external_id'] as string,
  phone: r['phone'] as string | null,
  note: r['note'] as string,
  blacklisted: r['blacklisted'] as boolean,
  blockedMessages: r['blocked_messages'] as number,
  pinnedOperatorId: r['pinned_operator_id'] as string | null,
  conversation: { id: r['conversation_id'] as string, status: r['status'] as ConversationState['status'], assigneeId: r['assignee_id'] as string | null, groupId: r['group_id'] as string },
});

const SELECT_CLIENT = `SELECT cl.*, c.id AS conversation_id, c.status, c.assignee_id, c.group_id FROM client cl JOIN conversation c ON c.client_id = cl.id`;

/** The client of a channel account, if he has written or been written to. */
export async function findClientOfAccount(tx: Tx, channelId: string, externalId: string): Promise<ClientRow | undefined> {
  const [row] = await tx.query<Raw[]>(`${SELECT_CLIENT} WHERE cl.channel_id = $1 AND cl.external_id = $2`, [channelId, externalId]);
  return row && toRow(row);
}

/** A client with the state of his one conversation, which decides who may see him (D34). */
export async function findClient(tx: Tx, id: string, lock = false): Promise<ClientRow | undefined> {
  const [row] = await tx.query<Raw[]>(
    `${SELECT_CLIENT} WHERE cl.id = $1 ${lock ? 'FOR NO KEY UPDATE OF cl' : ''}`,
    [id],
  );
  return row && toRow(row);
}

export async function setClientName(tx: Tx, id: string, name: string): Promise<void> {
  await tx.query('UPDATE client SET name = $2 WHERE id = $1', [id, name]);
}

export async function setClientNote(tx: Tx, id: string, note: string): Promise<void> {
  await tx.query('UPDATE client SET note = $2 WHERE id = $1', [id, note]);
}

/** D27: on or off the blacklist; the count of messages written while blocked starts again. */
export async function setBlacklisted(tx: Tx, id: string, on: boolean): Promise<void> {
  await tx.query('UPDATE client SET blacklisted = $2, blocked_messages = 0 WHERE id = $1', [id, on]);
}

/** D30, D31: the operator the client is pinned to, or none. */
export async function setPin(tx: Tx, id: string, operatorId: string | null): Promise<void> {
  await tx.query('UPDATE client SET pinned_operator_id = $2 WHERE id = $1', [id, operatorId]);
}

/**
 * D5, D29: the client of a channel account an operator writes to first; an existing one is reused
 * as he is (his names stay: D17), only a missing phone is filled in.
 */
export async function ensureClient(
  tx: Tx,
  c: { id: string; channel: string; channelId: string; externalId: string; name: string; phone: string | null },
): Promise<{ id: string; blacklisted: boolean }> {
  const [row] = await tx.query<{ id: string; blacklisted: boolean }[]>(
    `INSERT INTO client (id, channel, channel_id, external_id, name, original_name, phone) VALUES ($1, $2, $3, $4, $5, $5, $6)
     ON CONFLICT (channel_id, external_id) DO UPDATE SET phone = COALESCE(client.phone, EXCLUDED.phone)
     RETURNING id, blacklisted`,
    [c.id, c.channel, c.channelId, c.externalId, c.name, c.phone],
  );
  return row!;
}
