import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';
import { transactWithOutbox, type OutboxRelay } from '@relaydesk/bus';
import type { CallerIdentity } from '@relaydesk/contracts';
import { AppError } from '@relaydesk/service-kit';
import { lockConversation } from '../store/conversation.repository';
import type { MessageRow } from '../store/message.repository';
import { operatorMessageOnce } from './operator-message-once';
import { canSee } from './conversation-rules';
import { changedEvents, messageEvent } from './events';

/**
 * D18: an internal note, for operators only: no outbound message, no unread count, and the list's
 * last message (what the client and operator last said) stays as it was. The same Idempotency-Key
 * again (a retry whose answer was lost) answers the first note.
 */
export function addNote(
  db: DataSource,
  relay: OutboxRelay,
  caller: CallerIdentity,
  conversationId: string,
  text: string,
  idempotencyKey: string | undefined,
): Promise<{ message: MessageRow; created: boolean }> {
  return transactWithOutbox(db, relay, async (tx, emit) => {
    const conv = await lockConversation(tx, conversationId);
    if (!conv || !canSee(caller, conv)) throw new AppError('not_found', 'No such conversation');
    const { message, created } = await operatorMessageOnce(tx, {
      id: uuidv7(),
      conversationId,
      channelId: conv.channelId,
      operatorId: caller.operatorId,
      kind: 'note',
      text,
      idempotencyKey,
      createdAt: new Date().toISOString(),
    });
    if (created) emit([messageEvent(message, conv.clientId), ...(await changedEvents(tx, [conversationId], { messages: [message], actorId: caller.operatorId }))]);
    return { message, created };
  });
}
