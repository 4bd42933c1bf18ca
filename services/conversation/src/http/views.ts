import type { ConversationRow } from '../store/conversation.repository';
import type { LogEntry } from '../store/log.repository';
import type { MessageRow } from '../store/message.repository';

/** D13 list item; the gateway adds the names of people and groups it owns. */
export const itemView = (c: ConversationRow) => ({
  id: c.id,
  client: { id: c.clientId, name: c.clientName, channel: c.channel, blacklisted: c.blacklisted },
  pin: c.pinnedOperatorId ? { operatorId: c.pinnedOperatorId } : null,
  lastMessageByOperator: c.lastMessageDirection === 'out',
  assignee: c.assigneeId ? { id: c.assigneeId } : null,
  unreadCount: c.unreadCount,
  group: { id: c.groupId },
  status: c.status,
  listedAt: c.listedAt,
  lastMessage: c.lastMessageDirection ? { text: c.lastMessageText, at: c.lastMessageAt, direction: c.lastMessageDirection } : null,
});

export const messageView = (m: MessageRow) => ({
  id: m.id,
  direction: m.direction,
  kind: m.kind,
  text: m.text,
  sender: m.senderOperatorId ? { type: 'operator', id: m.senderOperatorId } : { type: 'client' },
  createdAt: m.createdAt,
  ...(m.direction === 'out' && m.kind !== 'note' ? { deliveryStatus: m.deliveryStatus ?? 'pending', deliveryError: m.deliveryError } : {}),
  tags: [],
});

export const logView = (e: LogEntry) => ({ action: e.action, actor: e.actorId ? { id: e.actorId } : null, from: e.from, to: e.to, at: e.at });
