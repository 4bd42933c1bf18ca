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

export async function readLog(tx: Tx, conversationId: string): Promise<LogEntry[]> {
  type Row = { action: ConversationAction; actor_id: string | null; from_state: LogState | null; to_state: LogState; at: Date };
  const rows = await tx.query<Row[]>(
    'SELECT action, actor_id, from_state, to_state, at FROM conversation_log WHERE conversation_id = $1 ORDER BY id',
    [conversationId],
  );
  return rows.map((r) => ({ conversationId, action: r.action, actorId: r.actor_id, from: r.from_state, to: r.to_state, at: r.at.toISOString() }));
}
