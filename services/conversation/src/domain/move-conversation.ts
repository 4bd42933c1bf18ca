import type { DataSource } from 'typeorm';
import { transactWithOutbox, type OutboxRelay } from '@relaydesk/bus';
import type { CallerIdentity, ConversationState } from '@relaydesk/contracts';
import { AppError } from '@relaydesk/service-kit';
import { lockConversation, setStateCounted, stateOf, type ConversationRow } from '../store/conversation.repository';
import { appendLog } from '../store/log.repository';
import { canSee, inScope, type Decision } from './conversation-rules';
import { changedEventsOf, movedEvent } from './events';

/**
 * Take, close, unassign, reopen (D7, D8, D10) or hand over (D21, D22). The row is locked for the
 * decision, so of two operators taking at once the second sees the first one's result and gets 409.
 */
export function moveConversation(
  db: DataSource,
  relay: OutboxRelay,
  caller: CallerIdentity,
  id: string,
  decide: (conv: ConversationState) => Decision,
  loserOfTakeLearnsWhy = false,
): Promise<ConversationRow> {
  return transactWithOutbox(db, relay, async (tx, emit) => {
    const conv = await lockConversation(tx, id);
    // D7: the loser of a take race learns why (409) instead of 404, for conversations of his groups.
    const visible = conv && (canSee(caller, conv) || (loserOfTakeLearnsWhy && inScope(caller, conv.groupId)));
    if (!conv || !visible) throw new AppError('not_found', 'No such conversation');
    const decision = decide(conv);
    const at = new Date().toISOString();
    await appendLog(tx, { conversationId: id, action: decision.action, actorId: caller.operatorId, from: stateOf(conv), to: stateOf(decision.to), at });
    const moved = await setStateCounted(tx, id, decision.to, at);
    emit([movedEvent(conv, conv, decision, caller.operatorId, at), ...changedEventsOf([moved], { actorId: caller.operatorId })]);
    return moved;
  });
}
