import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';
import type { Tx } from '@relaydesk/db';
import { transactWithOutbox, type OutboxRelay } from '@relaydesk/bus';
import type { CallerIdentity, OperatorMessageBody } from '@relaydesk/contracts';
import { AppError } from '@relaydesk/service-kit';
import { insertAttachments } from '../store/attachment.repository';
import { lockConversation, recordLastMessage } from '../store/conversation.repository';
import { messagesByIds, type MessageRow } from '../store/message.repository';
import { operatorMessageOnce } from './operator-message-once';
import { assertMayReply, canSee } from './conversation-rules';
import { changedEvents, messageEvent, outboundEvent } from './events';

/** D15: what a message of this conversation that the channel did not deliver said, to send again. */
async function undelivered(tx: Tx, conversationId: string, messageId: string): Promise<Pick<OperatorMessageBody, 'text' | 'attachment'>> {
  const [original] = await messagesByIds(tx, conversationId, [messageId]);
  if (!original) throw new AppError('not_found', 'No such message in this conversation');
  if (original.direction !== 'out' || original.kind === 'note' || original.deliveryStatus !== 'failed') {
    throw new AppError('conflict', 'Only a reply the channel did not deliver can be sent again');
  }
  const file = original.attachment;
  if (file && !file.storageKey) throw new AppError('conflict', 'This file is not in our store and cannot be sent again');
  return {
    ...(original.text !== null ? { text: original.text } : {}),
    ...(file?.storageKey ? { attachment: { storageKey: file.storageKey, fileName: file.fileName, mimeType: file.mimeType, size: file.size } } : {}),
  };
}

/**
 * D8, D15: the holder's reply, stored with its outbound message in one transaction. A repeat with
 * the same Idempotency-Key answers the first message and sends nothing again. A file is already in
 * the blob store (the gateway put it there); its attachment row joins the message's transaction.
 */
export function sendOperatorMessage(
  db: DataSource,
  relay: OutboxRelay,
  caller: CallerIdentity,
  conversationId: string,
  body: OperatorMessageBody,
  idempotencyKey: string | undefined,
): Promise<{ message: MessageRow; created: boolean }> {
  return transactWithOutbox(db, relay, async (tx, emit) => {
    const conv = await lockConversation(tx, conversationId);
    if (!conv || !canSee(caller, conv)) throw new AppError('not_found', 'No such conversation');
    const { text, attachment } = body.resendOf ? await undelivered(tx, conversationId, body.resendOf) : body;
    const at = new Date().toISOString();
    const result = await operatorMessageOnce(tx, { id: uuidv7(), conversationId, channelId: conv.channelId, operatorId: caller.operatorId, kind: attachment ? 'file' : 'text', text: text ?? null, idempotencyKey, createdAt: at });
    if (!result.created) return result;
    assertMayReply(caller, conv);
    if (attachment) {
      result.message.attachment = { id: uuidv7(), messageId: result.message.id, conversationId, externalUrl: null, ...attachment };
      await insertAttachments(tx, [result.message.attachment], at);
    }
    await recordLastMessage(tx, conversationId, { text: text ?? null, direction: 'out', at });
    emit([messageEvent(result.message, conv.clientId), outboundEvent(result.message, conv), ...(await changedEvents(tx, [conversationId], { messages: [result.message], actorId: caller.operatorId }))]);
    return result;
  });
}
