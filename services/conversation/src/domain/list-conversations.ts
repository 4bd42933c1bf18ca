import type { CallerIdentity, ListConversationsQuery } from '@relaydesk/contracts';
import type { Tx } from '@relaydesk/db';
import { AppError } from '@relaydesk/service-kit';
import { listConversations, type ConversationRow } from '../store/conversation.repository';
import { mayUseAllTab } from './conversation-rules';
import { decodeCursor, encodeCursor } from '@relaydesk/service-kit';

/** A tab of the workspace (D3, D4, D9, D11, D28), newest first by the tab's own time, keyset-paged. */
export async function listTab(tx: Tx, caller: CallerIdentity, q: ListConversationsQuery): Promise<{ items: ConversationRow[]; nextCursor: string | null }> {
  const wide = q.tab === 'all' || q.tab === 'blacklist';
  if (wide && !mayUseAllTab(caller)) throw new AppError('forbidden', `The ${q.tab === 'all' ? 'All' : 'Blacklist'} tab needs the “Show tab All” (conversations.view_all) or “Conversations management” (conversations.manage) permission.`);
  if (q.operatorId && !wide) throw new AppError('validation_failed', 'The operator filter applies to the All and Blacklist tabs', [{ path: 'operatorId', message: 'not a filter of this tab' }]);
  if (q.status && q.tab !== 'all') throw new AppError('validation_failed', 'The status filter applies to the All tab', [{ path: 'status', message: 'not a filter of this tab' }]);
  const list = JSON.stringify([q.tab, q.groupId ?? null, q.operatorId ?? null, q.status ?? null]);
  // D3, D4: group scope confines the shared tabs; My inbox and Closed are the caller's own, whatever group he was handed them from (D21).
  const own = q.tab === 'mine' || q.tab === 'closed';
  const scoped = !own && caller.role !== 'super_admin' && caller.groupIds.length > 0;
  const rows = await listConversations(tx, {
    tab: q.tab,
    operatorId: caller.operatorId,
    scopeGroupIds: scoped ? caller.groupIds : undefined,
    groupId: q.groupId,
    assigneeId: q.operatorId,
    status: q.status,
    cursor: decodeCursor(q.cursor, list),
    limit: q.limit + 1,
  });
  const items = rows.slice(0, q.limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > q.limit && last ? encodeCursor({ key: last.listedAt, id: last.id }, list) : null };
}
