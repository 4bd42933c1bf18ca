import type { ConversationItem } from '../api/types';
import type { StreamFrame } from '../live/stream';

const MUTED_KEY = 'relaydesk.notifications.muted';

export type NotifyPermission = NotificationPermission | 'unsupported';

export const notifyPermission = (): NotifyPermission => (typeof Notification === 'undefined' ? 'unsupported' : Notification.permission);

export const isMuted = (): boolean => localStorage.getItem(MUTED_KEY) === '1';
export const setMuted = (muted: boolean): void => (muted ? localStorage.setItem(MUTED_KEY, '1') : localStorage.removeItem(MUTED_KEY));

type MessageData = { conversationId: string; message: { direction: 'in' | 'out'; kind: string; text: string | null; sender?: { type: string } } };

/**
 * Whether a frame is a new client message of a conversation in Unassigned or in my inbox, which
 * is what desktop notifications announce; answers the words to show, or undefined.
 */
export function notificationOf(frame: StreamFrame, known: ConversationItem | undefined, meId: string): { title: string; body: string; conversationId: string } | undefined {
  if (frame.type !== 'message.created') return undefined;
  const { conversationId, message } = frame.data as MessageData;
  if (message.direction !== 'in' || message.kind === 'note' || message.kind === 'event') return undefined;
  if (!known || known.client.blacklisted) return undefined;
  const inUnassigned = known.status === 'unassigned';
  const inMine = known.status === 'in_progress' && known.assignee?.id === meId;
  if (!inUnassigned && !inMine) return undefined;
  const text = message.text ?? (message.kind === 'file' ? 'sent a file' : 'new message');
  return { title: `${known.client.name}${inUnassigned ? ' · Unassigned' : ' · My inbox'}`, body: text.length > 140 ? `${text.slice(0, 139)}…` : text, conversationId };
}
