import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';
import { makeEnvelope, transactWithOutbox, type OutboxRelay } from '@relaydesk/bus';
import { transcriptLimits, type CallerIdentity, type ChannelType, type NamedTranscriptBody, type TranscriptMessage } from '@relaydesk/contracts';
import { AppError } from '@relaydesk/service-kit';
import { findConversation, type ConversationRow } from '../store/conversation.repository';
import { messagesByIds, newestMessages, type MessageRow } from '../store/message.repository';
import { insertTranscript, type TranscriptRow } from '../store/transcript.repository';
import { canSee } from './conversation-rules';

type Names = NamedTranscriptBody['names'];

const transcriptMessage = (m: MessageRow, conv: ConversationRow, names: Names): TranscriptMessage => ({
  id: m.id,
  createdAt: m.createdAt,
  direction: m.direction,
  kind: m.kind as TranscriptMessage['kind'],
  text: m.text,
  sender: m.senderOperatorId ? { type: 'operator', name: names.operators[m.senderOperatorId] ?? 'Operator' } : { type: 'client', name: conv.clientName },
  ...(m.deliveryStatus === 'failed' ? { notDelivered: true as const } : {}),
  ...(m.attachment
    ? { attachment: { id: m.attachment.id, fileName: m.attachment.fileName, mimeType: m.attachment.mimeType, size: m.attachment.size, storageKey: m.attachment.storageKey, url: m.attachment.externalUrl } }
    : {}),
});

/**
 * D23: accepted at once; the notification service mails what the conversation holds now. Chosen
 * messages go as chosen (a chosen note too); the whole conversation leaves notes out unless asked
 * and holds at most the newest `wholeConversation` messages. Log events are never mailed.
 */
export function requestTranscript(db: DataSource, relay: OutboxRelay, caller: CallerIdentity, conversationId: string, body: NamedTranscriptBody): Promise<TranscriptRow> {
  return transactWithOutbox(db, relay, async (tx, emit) => {
    const conv = await findConversation(tx, conversationId);
    if (!conv || !canSee(caller, conv)) throw new AppError('not_found', 'No such conversation');

    let chosen: { messages: MessageRow[]; older: number };
    if (body.messageIds) {
      const ids = [...new Set(body.messageIds.map((id) => id.toLowerCase()))];
      const found = await messagesByIds(tx, conv.id, ids);
      if (found.length < ids.length) throw new AppError('validation_failed', `${ids.length - found.length} of the messageIds are not messages of this conversation`);
      chosen = { messages: found.filter((m) => m.kind !== 'event'), older: 0 };
    } else {
      chosen = await newestMessages(tx, conv.id, body.includeNotes ? ['text', 'file', 'note'] : ['text', 'file'], transcriptLimits.wholeConversation);
    }
    if (chosen.messages.length === 0) throw new AppError('validation_failed', 'There is no message to send: choose messages of the conversation');

    const transcript = await insertTranscript(tx, { id: uuidv7(), conversationId: conv.id, requestedBy: caller.operatorId, requestedAt: new Date().toISOString() });
    const payload = {
      transcriptId: transcript.id,
      conversationId: conv.id,
      requestedBy: caller.operatorId,
      requestedAt: transcript.requestedAt,
      to: typeof body.to === 'string' ? [body.to] : [...new Set(body.to)],
      subject: body.subject,
      timeZone: body.timeZone,
      conversation: {
        clientName: conv.clientName,
        channel: conv.channel as ChannelType,
        groupName: body.names.groups[conv.groupId] ?? 'Group',
        assigneeName: conv.assigneeId ? (body.names.operators[conv.assigneeId] ?? 'Operator') : null,
      },
      messages: chosen.messages.map((m) => transcriptMessage(m, conv, body.names)),
      omittedMessages: chosen.older,
    };
    emit([makeEnvelope('transcript.requested', payload, { source: 'conversation', partitionKey: conv.id })]);
    return transcript;
  });
}
