import type { DataSource } from 'typeorm';
import type { LiveState } from '@relaydesk/live';
import type { Logger } from '@relaydesk/service-kit';
import { pageOfConversations } from '../store/conversation.repository';
import { itemView } from '../http/views';

/**
 * D14: recomputes the live state in Redis from the database. Changes committed meanwhile still
 * arrive as events and, being newer, win over the page that was read before them. `onPage` runs
 * after each page (a replica renews its lease there).
 */
export async function rebuildLiveState(db: DataSource, live: LiveState, { pageSize = 2_000, onPage = () => Promise.resolve() }: { pageSize?: number; onPage?: () => Promise<unknown> } = {}): Promise<number> {
  await live.clear();
  let count = 0;
  let after: string | undefined;
  for (;;) {
    const rows = await pageOfConversations(db.manager, after, pageSize);
    if (rows.length === 0) break;
    await live.apply(rows.map((row) => ({ version: Math.max(row.version, 1), item: itemView(row), messages: [] })), { quiet: true });
    count += rows.length;
    after = rows.at(-1)!.id;
    await onPage();
  }
  await live.markBuilt();
  await live.announceReload('counters rebuilt');
  return count;
}

/** A replica killed mid-rebuild holds the lease this long at most; each page renews it. */
const LEASE_SECONDS = 60;

/**
 * Builds the live state when Redis does not hold it (a first start, or Redis restarted without its
 * data), checking again every `everyMs`. Answers a function that stops the checks.
 */
export function keepLiveStateBuilt(db: DataSource, live: LiveState, logger: Logger, everyMs = 30_000): () => void {
  const check = async () => {
    try {
      if ((await live.isBuilt()) || !(await live.leaseRebuild(LEASE_SECONDS))) return;
      try {
        const count = await rebuildLiveState(db, live, { onPage: () => live.leaseRebuild(LEASE_SECONDS, { renew: true }) });
        logger.info({ conversations: count }, 'live state was missing in Redis: rebuilt from the database');
      } finally {
        await live.releaseRebuild();
      }
    } catch (error) {
      logger.warn({ err: error }, 'could not check or rebuild the live state; trying again later');
    }
  };
  void check();
  const timer = setInterval(() => void check(), everyMs).unref();
  return () => clearInterval(timer);
}
