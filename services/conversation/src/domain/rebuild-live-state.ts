import type { DataSource } from 'typeorm';
import type { LiveState } from '@relaydesk/live';
import { pageOfConversations } from '../store/conversation.repository';
import { itemView } from '../http/views';

/**
 * D14: recomputes the live state in Redis from the database. Changes committed meanwhile still
 * arrive as events and, being newer, win over the page that was read before them.
 */
export async function rebuildLiveState(db: DataSource, live: LiveState, pageSize = 2_000): Promise<number> {
  await live.clear();
  let count = 0;
  let after: string | undefined;
  for (;;) {
    const rows = await pageOfConversations(db.manager, after, pageSize);
    if (rows.length === 0) break;
    await live.apply(rows.map((row) => ({ version: Math.max(row.version, 1), item: itemView(row), messages: [] })), { quiet: true });
    count += rows.length;
    after = rows.at(-1)!.id;
  }
  await live.announceReload('counters rebuilt');
  return count;
}
