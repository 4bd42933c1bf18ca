import type { DataSource } from 'typeorm';
import type { ConversationChanged } from '@relaydesk/contracts';
import { pageOfConversations } from '../store/conversation.repository';
import { messagesOf } from '../store/message.repository';
import { itemView, messageView } from '../http/views';

/**
 * A page of every conversation, each as a `conversation.changed` at its current version with all
 * its messages: what a projection (search) rebuilds itself from without reading our tables.
 * Applied with the version guard, a page read before a later change loses to that change's event.
 */
export async function exportConversations(db: DataSource, after: string | undefined, limit: number): Promise<{ items: ConversationChanged[]; nextAfter: string | null; total?: number }> {
  return db.transaction('REPEATABLE READ', async (tx) => {
    // The first page says how many there are, for a progress bar.
    const total = after === undefined ? Number((await tx.query<{ n: string }[]>('SELECT count(*) AS n FROM conversation'))[0]!.n) : undefined;
    const rows = await pageOfConversations(tx, after, limit);
    const messages = new Map<string, Awaited<ReturnType<typeof messagesOf>>>();
    for (const m of await messagesOf(tx, rows.map((r) => r.id))) {
      const ofConversation = messages.get(m.conversationId);
      if (ofConversation) ofConversation.push(m);
      else messages.set(m.conversationId, [m]);
    }
    const items = rows.map((row) => ({
      version: Math.max(row.version, 1),
      item: itemView(row),
      messages: (messages.get(row.id) ?? []).map(messageView),
    }));
    return { items, nextAfter: rows.length === limit ? rows.at(-1)!.id : null, ...(total === undefined ? {} : { total }) };
  });
}
