import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';
import { makeEnvelope, transactWithOutbox, type OutboxRelay } from '@relaydesk/bus';
import type { CallerIdentity, ChannelType, TagMessagesBody } from '@relaydesk/contracts';
import type { Tx } from '@relaydesk/db';
import { AppError } from '@relaydesk/service-kit';
import { findConversation } from '../store/conversation.repository';
import { messagesByIds, type MessageRow } from '../store/message.repository';
import { findOrCreateTag, findTag, tagMessages as putTag, type TagRow } from '../store/tag.repository';
import { canSee } from './conversation-rules';

/** D24: a new name joins the list; the same name in another case is the same tag. */
export function findOrCreateNamedTag(tx: Tx, caller: CallerIdentity, name: string): Promise<{ tag: TagRow; created: boolean }> {
  return findOrCreateTag(tx, { id: uuidv7(), name, createdBy: caller.operatorId, at: new Date().toISOString() });
}

/**
 * D24: one tag on several messages of a conversation the caller may open, each at most once. The
 * event names the messages that did not carry the tag yet, with who had the conversation then (D25).
 */
export function tagMessages(db: DataSource, relay: OutboxRelay, caller: CallerIdentity, conversationId: string, body: TagMessagesBody): Promise<{ tag: TagRow; messages: MessageRow[] }> {
  return transactWithOutbox(db, relay, async (tx, emit) => {
    const conv = await findConversation(tx, conversationId);
    if (!conv || !canSee(caller, conv)) throw new AppError('not_found', 'No such conversation');
    const ids = [...new Set(body.messageIds.map((id) => id.toLowerCase()))];
    const found = await messagesByIds(tx, conv.id, ids);
    if (found.length < ids.length) throw new AppError('validation_failed', `${ids.length - found.length} of the messageIds are not messages of this conversation`);
    if (found.some((m) => m.kind === 'event')) throw new AppError('validation_failed', 'Events of the log cannot be tagged, only messages and notes');

    const tag = body.tagId ? await findTag(tx, body.tagId) : (await findOrCreateNamedTag(tx, caller, body.tagName!)).tag;
    if (!tag) throw new AppError('not_found', 'No such tag');
    const taggedAt = new Date().toISOString();
    const newlyTagged = await putTag(tx, tag.id, ids, caller.operatorId, taggedAt);
    if (newlyTagged.size > 0) {
      const payload = {
        tag: { id: tag.id, name: tag.name },
        conversationId: conv.id,
        clientId: conv.clientId,
        clientName: conv.clientName,
        channel: conv.channel as ChannelType,
        groupId: conv.groupId,
        assigneeId: conv.assigneeId,
        taggedBy: caller.operatorId,
        taggedAt,
        messages: found.filter((m) => newlyTagged.has(m.id)).map((m) => ({ id: m.id, createdAt: m.createdAt, direction: m.direction, kind: m.kind, text: m.text })),
      };
      emit([makeEnvelope('message.tagged', payload, { source: 'conversation', partitionKey: conv.id })]);
    }
    return { tag, messages: await messagesByIds(tx, conv.id, ids) };
  });
}
