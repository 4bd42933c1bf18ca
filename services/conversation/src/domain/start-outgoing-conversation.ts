import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';
import { transactWithOutbox, type OutboxRelay } from '@relaydesk/bus';
import { inScope, type CallerIdentity, type ConversationState, type ExistingClient, type OutgoingConversationBody } from '@relaydesk/contracts';
import { AppError } from '@relaydesk/service-kit';
import { insertConversations, lockConversationsOfClients } from '../store/client-message-batch.repository';
import { ensureClient, findClientOfAccount } from '../store/client.repository';
import { lockConversation, recordLastMessage, setState, stateOf, type ConversationRow } from '../store/conversation.repository';
import { appendLog } from '../store/log.repository';
import { findByIdempotencyKey, type MessageRow } from '../store/message.repository';
import { operatorMessageOnce, requireSameRequest } from './operator-message-once';
import type { Decision } from './conversation-rules';
import { changedEvents, messageEvent, movedEvent, outboundEvent } from './events';

/**
 * D29: where the client's one conversation (D5) goes when the caller writes to him first: into the
 * caller's My inbox in the chosen group. A conversation another operator holds stays his (409).
 */
function decideOutgoing(caller: CallerIdentity, conv: ConversationState | undefined, groupId: string): Decision | undefined {
  const to: ConversationState = { status: 'in_progress', assigneeId: caller.operatorId, groupId };
  if (!conv) return { action: 'created', to };
  // D3: writing first is no way into another group's conversation and its history.
  if (!inScope(caller, conv.groupId)) throw new AppError('forbidden', 'This number’s client is served in a group you are not in: ask an operator of that group to write');
  if (conv.status === 'in_progress') {
    if (conv.assigneeId !== caller.operatorId) throw new AppError('conflict', 'This client’s conversation is in another operator’s inbox: ask that operator to hand it over');
    return undefined;
  }
  return { action: conv.status === 'closed' ? 'reopened' : 'taken', to };
}

/** A number's client who had no conversation yet: no key can have been used for it. */
const conversationIdUnknown = '';

/** D29, D34: what the caller may learn, before writing, of the client a WhatsApp account already is. */
export async function existingClientOf(db: DataSource, caller: CallerIdentity, channelId: string, externalId: string): Promise<ExistingClient> {
  const client = await findClientOfAccount(db.manager, channelId, externalId);
  if (!client) return null;
  if (!inScope(caller, client.conversation.groupId)) return { inYourGroups: false };
  const { status, assigneeId } = client.conversation;
  return { inYourGroups: true, name: client.name, heldByAnother: status === 'in_progress' && assigneeId !== caller.operatorId, blacklisted: client.blacklisted };
}

/**
 * D29: the client of a WhatsApp number (created or reused), his conversation in the caller's My
 * inbox, and the caller's first message with its outbound message, all in one transaction.
 */
export function startOutgoingConversation(
  db: DataSource,
  relay: OutboxRelay,
  caller: CallerIdentity,
  body: OutgoingConversationBody,
  idempotencyKey?: string,
): Promise<{ conversation: ConversationRow; message: MessageRow; created: boolean }> {
  return transactWithOutbox(db, relay, async (tx, emit) => {
    const at = new Date().toISOString();
    const client = await ensureClient(tx, { id: uuidv7(), channel: 'whatsapp', channelId: body.channelId, externalId: body.externalClientId, name: body.clientName, phone: body.phone });
    // D27: writing to a blacklisted client would bring him back to an inbox unseen.
    if (client.blacklisted) throw new AppError('conflict', 'This client is on the blacklist: unlock the conversation first');
    const existing = (await lockConversationsOfClients(tx, [client.id])).get(client.id);
    // A retry of a request that went through answers what it did, before any move: one that closed
    // the conversation since must not see it reopened by the retry.
    const first = idempotencyKey && (await findByIdempotencyKey(tx, caller.operatorId, idempotencyKey));
    if (first) {
      requireSameRequest(first, { conversationId: existing?.id ?? conversationIdUnknown, kind: 'text', text: body.text });
      return { conversation: (await lockConversation(tx, first.conversationId))!, message: first, created: false };
    }
    const conversationId = existing?.id ?? uuidv7();
    if (!existing) await insertConversations(tx, [{ id: conversationId, clientId: client.id, groupId: body.groupId }], at);
    const decision = decideOutgoing(caller, existing, body.groupId);
    if (decision) {
      const from = existing ? stateOf(existing) : null;
      await setState(tx, conversationId, decision.to, at);
      await appendLog(tx, { conversationId, action: decision.action, actorId: caller.operatorId, from, to: decision.to, at });
      emit([movedEvent({ id: conversationId, clientId: client.id }, from ?? undefined, decision, caller.operatorId, at)]);
    }
    const conv = (await lockConversation(tx, conversationId))!;
    const { message, created } = await operatorMessageOnce(tx, { id: uuidv7(), conversationId, channelId: body.channelId, operatorId: caller.operatorId, kind: 'text', text: body.text, idempotencyKey, createdAt: at });
    if (!created) return { conversation: conv, message, created };
    await recordLastMessage(tx, conversationId, { text: body.text, direction: 'out', at });
    emit([messageEvent(message, client.id), outboundEvent(message, conv), ...(await changedEvents(tx, [conversationId], { messages: [message], actorId: caller.operatorId }))]);
    return { conversation: (await lockConversation(tx, conversationId))!, message, created };
  });
}
