import { v7 as uuidv7 } from 'uuid';
import type { Emit, MessageOf } from '@relaydesk/bus';
import type { ConversationState } from '@relaydesk/contracts';
import type { Tx } from '@relaydesk/db';
import {
  appendLogs,
  applyClientMessages,
  countBlockedMessages,
  insertClientMessages,
  insertConversations,
  keyOf,
  upsertClientsLockingConversations,
  type ConversationAfterClientMessages,
} from '../store/client-message-batch.repository';
import { insertAttachments, referencedAttachment } from '../store/attachment.repository';
import { stateOf } from '../store/conversation.repository';
import type { LogEntry } from '../store/log.repository';
import { decideOnClientMessage } from './conversation-rules';
import type { MessageRow } from '../store/message.repository';
import { changedEventsOf, messageEvent, movedEvent } from './events';

/**
 * A client message's time: the batch's, but at least a millisecond after the message before it in
 * his conversation (of this batch, or the newest stored), so the history shows them in the order
 * he sent them even when one batch stores several.
 */
function messageTime(at: string, previous: string | undefined): string {
  return previous === undefined ? at : new Date(Math.max(Date.parse(at), Date.parse(previous) + 1)).toISOString();
}

/**
 * Stores a batch of routed client messages in order: each client (D5, D17) and his one
 * conversation, each message once per channel message id, and the D6 moves with their log entries
 * (D12). All messages of one client come through one partition, so no other batch holds them.
 */
export async function storeClientMessages(tx: Tx, routed: MessageOf<'message.routed'>[], emit: Emit): Promise<void> {
  if (routed.length === 0) return;
  const at = new Date().toISOString();
  const inbound = routed.map((r) => {
    const m = r.payload.inbound;
    return { ...m, groupId: r.payload.groupId, messageId: uuidv7(), kind: m.attachment ? ('file' as const) : ('text' as const) };
  });

  const latestOfClient = new Map(inbound.map((m) => [keyOf(m), { ...m, id: uuidv7() }]));
  const clients = await upsertClientsLockingConversations(tx, [...latestOfClient.values()]);
  const clientOf = (m: (typeof inbound)[number]) => clients.get(keyOf(m))!.id;
  const existing = new Map([...clients.values()].flatMap((c) => (c.conversation ? [[c.id, c.conversation] as const] : [])));

  const created = new Map<string, { id: string; clientId: string; groupId: string }>();
  for (const m of inbound) {
    const clientId = clientOf(m);
    if (!existing.has(clientId) && !created.has(clientId)) created.set(clientId, { id: uuidv7(), clientId, groupId: m.groupId });
  }
  await insertConversations(tx, [...created.values()], at);
  const conversationOf = (clientId: string) => existing.get(clientId)?.id ?? created.get(clientId)!.id;
  const timeOf = new Map<string, string>();
  const newestOf = new Map([...existing].map(([clientId, c]) => [clientId, c.lastMessageAt]));
  for (const m of inbound) {
    const time = messageTime(at, newestOf.get(clientOf(m)));
    timeOf.set(m.messageId, time);
    newestOf.set(clientOf(m), time);
  }

  const stored = await insertClientMessages(
    tx,
    inbound.map((m) => ({
      id: m.messageId,
      conversationId: conversationOf(clientOf(m)),
      channelId: m.channelId,
      externalMessageId: m.externalMessageId,
      kind: m.kind,
      text: m.text ?? null,
      createdAt: timeOf.get(m.messageId)!,
    })),
  );
  const attachments = inbound.flatMap((m) => (m.attachment && stored.has(m.messageId) ? [referencedAttachment(uuidv7(), m.messageId, conversationOf(clientOf(m)), m.attachment)] : []));
  await insertAttachments(tx, attachments, at);
  const attachmentOf = new Map(attachments.map((a) => [a.messageId, a]));

  const after = new Map<string, ConversationAfterClientMessages & { current: ConversationState | undefined }>();
  const logs: LogEntry[] = [];
  const delivered: MessageRow[] = [];
  for (const m of inbound) {
    if (!stored.has(m.messageId)) continue;
    const clientId = clientOf(m);
    const { blacklisted: blocked, pinnedOperatorId } = clients.get(keyOf(m))!;
    const conversationId = conversationOf(clientId);
    const createdAt = timeOf.get(m.messageId)!;
    const row = after.get(conversationId) ?? { id: conversationId, clientId, current: existing.get(clientId), state: existing.get(clientId) ?? { status: 'unassigned', assigneeId: null, groupId: m.groupId }, statusChanged: false, lastText: null, received: 0, blocked: 0, lastAt: createdAt };
    // D27: a blacklisted client's message is stored and moves nothing.
    const decision = blocked ? undefined : decideOnClientMessage(row.current, m.groupId, pinnedOperatorId);
    if (decision) {
      const from = row.current && stateOf(row.current);
      logs.push({ conversationId, action: decision.action, actorId: null, from: from ?? null, to: decision.to, at });
      emit([movedEvent({ id: conversationId, clientId }, from, decision, null, at)]);
      row.statusChanged ||= row.current !== undefined;
      row.state = decision.to;
    }
    row.current = row.state;
    row.lastText = m.text ?? null;
    row.lastAt = createdAt;
    if (blocked) row.blocked += 1;
    else row.received += 1;
    after.set(conversationId, row);
    const message = { id: m.messageId, conversationId, direction: 'in' as const, kind: m.kind, text: m.text ?? null, senderOperatorId: null, createdAt, deliveryStatus: null, deliveryError: null, attachment: attachmentOf.get(m.messageId) ?? null };
    emit([messageEvent(message, clientId, blocked)]);
    // D27: a blacklisted client's messages reach no operator.
    if (!blocked) delivered.push(message);
  }
  await countBlockedMessages(tx, [...after.values()]);
  await appendLogs(tx, logs);
  emit(changedEventsOf(await applyClientMessages(tx, [...after.values()], at), { messages: delivered }));
}
