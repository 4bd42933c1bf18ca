import type { ConversationState, InboundMessage } from '@relaydesk/contracts';
import { queryPrepared, type Tx } from '@relaydesk/db';
import type { LogEntry } from './log.repository';
import { updateCounted, type ConversationRow } from './conversation.repository';

/**
 * Set-based writes for a batch of client messages: a handful of statements per batch instead of a
 * few per message. Rows are keyed so that the callers' batches never touch the same client twice
 * in one statement (see storeClientMessages).
 */

export type ClientKeyed = { channelId: string; externalClientId: string };
export const keyOf = (c: ClientKeyed): string => `${c.channelId}:${c.externalClientId}`;

/** D5, D17: one client per channel account; the channel's name refreshes only original_name. */
export type UpsertedClient = { id: string; blacklisted: boolean; pinnedOperatorId: string | null };

/** `lastMessageAt`: the time of the conversation's newest message, which the batch's messages follow. */
export type LockedState = ConversationState & { id: string; clientId: string; lastMessageAt: string };

/**
 * Upserts the clients and locks their conversations (in id order, as every other writer of several
 * does), in one round trip: each client by keyOf, with his conversation when he has one.
 */
export async function upsertClientsLockingConversations(tx: Tx, clients: (InboundMessage & { id: string })[]): Promise<Map<string, UpsertedClient & { conversation?: LockedState }>> {
  type Row = { id: string; channel_id: string; external_id: string; blacklisted: boolean; pinned_operator_id: string | null };
  type Locked = { conversation_id: string | null; status: ConversationState['status']; assignee_id: string | null; group_id: string; last_message_at: Date };
  const rows = await queryPrepared<Row & Locked>(
    tx,
    `WITH upserted AS (
       INSERT INTO client (id, channel, channel_id, external_id, name, original_name, phone)
       SELECT id, channel, channel_id, external_id, name, name, phone
       FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[]) AS t(id, channel, channel_id, external_id, name, phone)
       ON CONFLICT (channel_id, external_id) DO UPDATE
         SET original_name = EXCLUDED.original_name, phone = COALESCE(EXCLUDED.phone, client.phone)
       RETURNING id, channel_id, external_id, blacklisted, pinned_operator_id
     ), locked AS (
       SELECT id, client_id, status, assignee_id, group_id, last_message_at FROM conversation
       WHERE client_id IN (SELECT id FROM upserted) ORDER BY id FOR NO KEY UPDATE
     )
     SELECT u.*, l.id AS conversation_id, l.status, l.assignee_id, l.group_id, l.last_message_at FROM upserted u LEFT JOIN locked l ON l.client_id = u.id`,
    [
      clients.map((c) => c.id),
      clients.map((c) => c.channel),
      clients.map((c) => c.channelId),
      clients.map((c) => c.externalClientId),
      clients.map((c) => c.clientName),
      clients.map((c) => c.phone ?? null),
    ],
  );
  return new Map(
    rows.map((r) => [
      keyOf({ channelId: r.channel_id, externalClientId: r.external_id }),
      {
        id: r.id,
        blacklisted: r.blacklisted,
        pinnedOperatorId: r.pinned_operator_id,
        ...(r.conversation_id
          ? { conversation: { id: r.conversation_id, clientId: r.id, status: r.status, assigneeId: r.assignee_id, groupId: r.group_id, lastMessageAt: r.last_message_at.toISOString() } }
          : {}),
      },
    ]),
  );
}

export async function lockConversationsOfClients(tx: Tx, clientIds: string[]): Promise<Map<string, LockedState>> {
  const rows = await tx.query<{ id: string; client_id: string; status: ConversationState['status']; assignee_id: string | null; group_id: string; last_message_at: Date }[]>(
    'SELECT id, client_id, status, assignee_id, group_id, last_message_at FROM conversation WHERE client_id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE',
    [clientIds],
  );
  return new Map(rows.map((r) => [r.client_id, { id: r.id, clientId: r.client_id, status: r.status, assigneeId: r.assignee_id, groupId: r.group_id, lastMessageAt: r.last_message_at.toISOString() }]));
}

export async function insertConversations(tx: Tx, rows: { id: string; clientId: string; groupId: string }[], at: string): Promise<void> {
  if (rows.length === 0) return;
  await queryPrepared(
    tx,
    `INSERT INTO conversation (id, client_id, status, group_id, status_changed_at, last_message_at)
     SELECT id, client_id, 'unassigned', group_id, $4, $4 FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS t(id, client_id, group_id)`,
    [rows.map((r) => r.id), rows.map((r) => r.clientId), rows.map((r) => r.groupId), at],
  );
}

/** Stores each channel message once, at its own `createdAt`; answers the ids of those stored now (not repeats). */
export async function insertClientMessages(
  tx: Tx,
  rows: { id: string; conversationId: string; channelId: string; externalMessageId: string; kind: 'text' | 'file'; text: string | null; createdAt: string }[],
): Promise<Set<string>> {
  const stored = await queryPrepared<{ id: string }>(
    tx,
    `INSERT INTO message (id, conversation_id, direction, kind, text, channel_id, external_message_id, created_at)
     SELECT id, conversation_id, 'in', kind, text, channel_id, external_message_id, created_at
     FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::timestamptz[], $7::text[]) AS t(id, conversation_id, kind, text, channel_id, created_at, external_message_id)
     ON CONFLICT (channel_id, external_message_id) WHERE external_message_id IS NOT NULL DO NOTHING
     RETURNING id`,
    [rows.map((r) => r.id), rows.map((r) => r.conversationId), rows.map((r) => r.kind), rows.map((r) => r.text), rows.map((r) => r.channelId), rows.map((r) => r.createdAt), rows.map((r) => r.externalMessageId)],
  );
  return new Set(stored.map((r) => r.id));
}

export type ConversationAfterClientMessages = {
  id: string;
  clientId: string;
  state: ConversationState;
  statusChanged: boolean;
  lastText: string | null;
  /** Messages that count as unread; a blacklisted client's count as blocked instead (D27). */
  received: number;
  /** The time of the batch's newest message of this conversation. */
  lastAt: string;
  blocked: number;
};

/** Applies the batch to each conversation and counts the change (see updateCounted); answers the rows as they are now. */
export async function applyClientMessages(tx: Tx, rows: ConversationAfterClientMessages[], at: string): Promise<ConversationRow[]> {
  if (rows.length === 0) return [];
  return updateCounted(
    tx,
    `UPDATE conversation c SET
       status = v.status, assignee_id = v.assignee_id, group_id = v.group_id,
       status_changed_at = CASE WHEN v.status_changed THEN $7::timestamptz ELSE c.status_changed_at END,
       last_message_at = GREATEST(c.last_message_at, v.last_at), last_message_text = v.text,
       last_message_direction = 'in', unread_count = c.unread_count + v.received, version = c.version + 1
     FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::boolean[], $6::text[], $8::int[], $9::timestamptz[])
       AS v(id, status, assignee_id, group_id, status_changed, text, received, last_at)
     WHERE c.id = v.id`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.state.status),
      rows.map((r) => r.state.assigneeId),
      rows.map((r) => r.state.groupId),
      rows.map((r) => r.statusChanged),
      rows.map((r) => r.lastText),
      at,
      rows.map((r) => r.received),
      rows.map((r) => r.lastAt),
    ],
  );
}

/** D27: remembers that a blacklisted client wrote, for the unlock rule. */
export async function countBlockedMessages(tx: Tx, rows: ConversationAfterClientMessages[]): Promise<void> {
  const blocked = rows.filter((r) => r.blocked > 0);
  if (blocked.length === 0) return;
  await queryPrepared(
    tx,
    `UPDATE client cl SET blocked_messages = cl.blocked_messages + v.n FROM unnest($1::uuid[], $2::int[]) AS v(id, n) WHERE cl.id = v.id`,
    [blocked.map((r) => r.clientId), blocked.map((r) => r.blocked)],
  );
}

export async function appendLogs(tx: Tx, entries: LogEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await queryPrepared(
    tx,
    `INSERT INTO conversation_log (conversation_id, action, actor_id, from_state, to_state, at)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::jsonb[], $5::jsonb[], $6::timestamptz[])`,
    [
      entries.map((e) => e.conversationId),
      entries.map((e) => e.action),
      entries.map((e) => e.actorId),
      entries.map((e) => (e.from ? JSON.stringify(e.from) : null)),
      entries.map((e) => JSON.stringify(e.to)),
      entries.map((e) => e.at),
    ],
  );
}
