import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';
import { transactWithOutbox, type OutboxRelay } from '@relaydesk/bus';
import type { CallerIdentity } from '@relaydesk/contracts';
import { AppError } from '@relaydesk/service-kit';
import { lockConversation, recordLastMessage } from '../store/conversation.repository';
import { insertOperatorMessage, type MessageRow } from '../store/message.repository';
import { assertMayReply, canSee } from './conversation-rules';
import { messageEvent, outboundEvent } from './events';

/**
 * D8, D15: the holder's reply, stored with its outbound message in one transaction. A repeat with
 * the same Idempotency-Key answers the first message and sends nothing again.
 */
export function sendOperatorMessage(
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
    const at = new Date().toISOString();
    const result = await insertOperatorMessage(tx, { id: uuidv7(), conversationId, channelId: conv.channelId, operatorId: caller.operatorId, kind: 'text', text, idempotencyKey, createdAt: at });
    if (!result.created) {
      if (result.message.conversationId !== conversationId) throw new AppError('conflict', 'This Idempotency-Key was used for another conversation');
      return result;
    }
    assertMayReply(caller, conv);
    await recordLastMessage(tx, conversationId, { text, direction: 'out', at });
    emit([messageEvent(result.message, conv.clientId), outboundEvent(result.message, conv)]);
    return result;
  });
}
