import type { DataSource } from 'typeorm';
import { transactWithOutbox, type OutboxRelay } from '@relaydesk/bus';
import type { CallerIdentity } from '@relaydesk/contracts';
import { AppError } from '@relaydesk/service-kit';
import { lockConversation, markRead } from '../store/conversation.repository';
import { canSee } from './conversation-rules';
import { changedEvents } from './events';

/** D14: viewing a conversation resets its unread count; nothing changes when nothing was unread. */
export function markConversationRead(db: DataSource, relay: OutboxRelay, caller: CallerIdentity, id: string): Promise<void> {
  return transactWithOutbox(db, relay, async (tx, emit) => {
    const conv = await lockConversation(tx, id);
    if (!conv || !canSee(caller, conv)) throw new AppError('not_found', 'No such conversation');
    if (conv.unreadCount === 0) return;
    await markRead(tx, id);
    emit(await changedEvents(tx, [id], { actorId: caller.operatorId }));
  });
}
