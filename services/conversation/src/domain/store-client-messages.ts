import { v7 as uuidv7 } from 'uuid';
import type { Emit, MessageOf } from '@relaydesk/bus';
import type { Tx } from '@relaydesk/db';
import { insertConversation, lockConversationOfClient, recordLastMessage, setState, stateOf, upsertClient } from '../store/conversation.repository';
import { appendLog } from '../store/log.repository';
import { insertClientMessage } from '../store/message.repository';
import { decideOnClientMessage } from './conversation-rules';
import { messageEvent, movedEvent } from './events';

/**
 * Stores routed client messages in order: the client (D5, D17), its one conversation, the message
 * once per channel message id, and the D6 move with its log entry (D12).
 */
export async function storeClientMessages(tx: Tx, routed: MessageOf<'message.routed'>[], emit: Emit): Promise<void> {
  for (const { payload } of routed) {
    const m = payload.inbound;
    const clientId = await upsertClient(tx, uuidv7(), m);
    const current = await lockConversationOfClient(tx, clientId);
    const conversationId = current?.id ?? uuidv7();
    const at = new Date().toISOString();
    if (!current) await insertConversation(tx, { id: conversationId, clientId, state: { status: 'unassigned', assigneeId: null, groupId: payload.groupId }, at });
    const messageId = uuidv7();
    const text = m.text ?? null;
    const stored = await insertClientMessage(tx, { id: messageId, conversationId, channelId: m.channelId, externalMessageId: m.externalMessageId, text, createdAt: at });
    if (!stored) continue;
    const decision = decideOnClientMessage(current, payload.groupId);
    if (decision) {
      if (current) await setState(tx, conversationId, decision.to, at);
      await appendLog(tx, { conversationId, action: decision.action, actorId: null, from: current ? stateOf(current) : null, to: decision.to, at });
      emit([movedEvent({ id: conversationId, clientId }, current, decision, null, at)]);
    }
    await recordLastMessage(tx, conversationId, { text, direction: 'in', at });
    emit([messageEvent({ id: messageId, conversationId, direction: 'in', kind: 'text', text, senderOperatorId: null, createdAt: at, deliveryStatus: null, deliveryError: null }, clientId)]);
  }
}
