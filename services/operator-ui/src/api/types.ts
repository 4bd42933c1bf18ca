/** The shapes of API.md as the gateway answers them (names added to ids). */
export type ChannelType = 'whatsapp' | 'telegram' | 'webchat' | 'api';
export type ConversationStatus = 'unassigned' | 'in_progress' | 'closed';
export type Tab = 'unassigned' | 'mine' | 'closed' | 'all' | 'blacklist';
export type Named = { id: string; name: string | null };
export type Presence = 'online' | 'away' | 'offline';

export type ConversationItem = {
  id: string;
  client: { id: string; name: string; channel: ChannelType; blacklisted: boolean };
  /** D32: who holds the client, and the label this caller sees. */
  pin: { operator: Named; label: string } | null;
  lastMessageByOperator: boolean;
  assignee: Named | null;
  unreadCount: number;
  group: Named;
  status: ConversationStatus;
  listedAt: string;
  lastMessage: { text: string | null; at: string; direction: 'in' | 'out' } | null;
};

export type Page<T> = { items: T[]; nextCursor: string | null };

/** A frame of `GET /api/v1/stream` (API.md "Real time"). */
export type StreamFrame = { type: string; id?: string; data: any };

export type Attachment = { id: string; fileName: string; mimeType: string; size: number; url: string };
export type Tag = { id: string; name: string; createdAt?: string };

export type Message = {
  id: string;
  direction: 'in' | 'out';
  kind: 'text' | 'file' | 'note' | 'event';
  text: string | null;
  attachment?: Attachment;
  sender: { type: 'client' | 'operator'; id?: string; name?: string | null };
  createdAt: string;
  deliveryStatus?: 'pending' | 'sent' | 'delivered' | 'read' | 'failed';
  deliveryError?: { code: string; title: string } | null;
  tags: Tag[];
};

export type Counters = { mine: number; unread: Partial<Record<Tab, number>> };

export type OperatorSummary = { id: string; name: string; email?: string; role?: string; groupIds?: string[]; presence?: Presence; active?: boolean };
export type Group = { id: string; name: string };
export type Features = { outgoingWhatsApp: boolean };
