import type { ConversationAction, ConversationState } from '@relaydesk/contracts';
import type { Tx } from '@relaydesk/db';

/** What a log entry moved between: the conversation's state, the client's name, or his pin. */
export type LogState = ConversationState | { name: string } | { pinnedOperatorId: string | null };

export type LogEntry = {
  conversationId: string;
  action: ConversationAction;
  actorId: string | null;
  from: LogState | null;
  to: LogState;
  at: string;
};

export async function appendLog(tx: Tx, e: LogEntry): Promise<void> {
  await tx.query(
    `INSERT INTO conversation_log (conversation_id, action, actor_id, from_state, to_state, at) VALUES ($1, $2, $3, $4, $5, $6)`,
    [e.conversationId, e.action, e.actorId, e.from ? JSON.stringify(e.from) : null, JSON.stringify(e.to), e.at],
  );
}

/** The `limit` movements before the one numbered `beforeSeq` (the latest when absent), oldest first, each with its number. */
export async function readLog(tx: Tx, conversationId: string, beforeSeq: string | undefined, limit: number): Promise<(LogEntry & { seq: string })[]> {
  type Row = { seq: string; action: ConversationAction; actor_id: string | null; from_state: LogState | null; to_state: LogState; at: Date };
  const rows = await tx.query<Row[]>(
    `SELECT id::text AS seq, action, actor_id, from_state, to_state, at FROM conversation_log
     WHERE conversation_id = $1 AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
    [conversationId, beforeSeq ?? null, limit],
  );
  return rows.reverse().map((r) => ({ seq: r.seq, conversationId, action: r.action, actorId: r.actor_id, from: r.from_state, to: r.to_state, at: r.at.toISOString() }));
}
