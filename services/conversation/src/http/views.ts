import type { ChannelType } from '@relaydesk/contracts';
import type { AttachmentRow } from '../store/attachment.repository';
import type { ConversationRow } from '../store/conversation.repository';
import type { LogEntry } from '../store/log.repository';
import type { MessageRow } from '../store/message.repository';
import type { TagRow } from '../store/tag.repository';
import type { TranscriptRow } from '../store/transcript.repository';

/** D13 list item; the gateway adds the names of people and groups it owns. */
export const itemView = (c: ConversationRow) => ({
  id: c.id,
  client: { id: c.clientId, name: c.clientName, channel: c.channel as ChannelType, blacklisted: c.blacklisted },
  pin: c.pinnedOperatorId ? { operatorId: c.pinnedOperatorId } : null,
  lastMessageByOperator: c.lastMessageDirection === 'out',
  assignee: c.assigneeId ? { id: c.assigneeId } : null,
  unreadCount: c.unreadCount,
  group: { id: c.groupId },
  status: c.status,
  listedAt: c.listedAt,
  lastMessage: c.lastMessageDirection ? { text: c.lastMessageText, at: c.lastMessageAt, direction: c.lastMessageDirection } : null,
});

/** D15: a file as operators see it; the gateway streams it from `url`. */
const attachmentView = (a: AttachmentRow) => ({ id: a.id, fileName: a.fileName, mimeType: a.mimeType, size: a.size, url: `/api/v1/attachments/${a.id}` });

export const messageView = (m: MessageRow) => ({
  id: m.id,
  direction: m.direction,
  kind: m.kind,
  text: m.text,
  ...(m.attachment ? { attachment: attachmentView(m.attachment) } : {}),
  sender: m.senderOperatorId ? { type: 'operator' as const, id: m.senderOperatorId } : { type: 'client' as const },
  createdAt: m.createdAt,
  ...(m.direction === 'out' && m.kind !== 'note' ? { deliveryStatus: m.deliveryStatus ?? 'pending', deliveryError: m.deliveryError } : {}),
  tags: m.tags ?? [],
});

export const tagView = (t: TagRow) => ({ id: t.id, name: t.name, createdAt: t.createdAt });

export const transcriptView = (t: TranscriptRow) => ({
  id: t.id,
  conversationId: t.conversationId,
  status: t.status,
  ...(t.error ? { error: t.error } : {}),
  requestedAt: t.requestedAt,
  ...(t.finishedAt ? { finishedAt: t.finishedAt } : {}),
  ...(t.refusedRecipients.length > 0 ? { refusedRecipients: t.refusedRecipients } : {}),
});

export const logView = (e: LogEntry) => ({ action: e.action, actor: e.actorId ? { id: e.actorId } : null, from: e.from, to: e.to, at: e.at });
