import type { ChannelType, ConversationItem, ConversationStatus, Presence, Tab } from '../api/types';

export const TAB_LABEL: Record<Tab, string> = { unassigned: 'Unassigned', mine: 'My inbox', closed: 'Closed', all: 'All', blacklist: 'Blacklist' };
export const CHANNEL_NAME: Record<ChannelType, string> = { whatsapp: 'WhatsApp', telegram: 'Telegram', webchat: 'Web chat', api: 'API connector' };
export const STATUS_LABEL: Record<ConversationStatus, string> = { unassigned: 'Unassigned', in_progress: 'In progress', closed: 'Closed' };
export const PRESENCE_LABEL: Record<Presence, string> = { online: 'online', away: 'away', offline: 'offline' };

/** Element #8 in short: the time today, the day this year, else the date; the full time in `title`. */
export function shortTime(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  if (d.toDateString() === now.toDateString()) return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (d.getFullYear() === now.getFullYear()) return d.toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
  return d.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
}

export { fullTime } from '../conversation/util';

/**
 * Whose client a row's is, if pinned. D32's words (`label`, as the server put them for me) belong
 * to the pin control, where "Detach" is what a click does; a row only says who holds him.
 */
export function pinLabel(item: Pick<ConversationItem, 'pin'>): string | undefined {
  if (!item.pin) return undefined;
  return item.pin.label === 'Detach' ? 'Pinned to me' : `Pinned (${item.pin.operator.name ?? 'a former operator'})`;
}

export function clientName(item: Pick<ConversationItem, 'client'>): string {
  return item.client.name || 'Unnamed client';
}

/** "Assigned to Anna (online)": the assignee of a row, or of a deleted operator, with the presence shown beside it. */
export function assigneeTitle(item: Pick<ConversationItem, 'assignee'>, presence: Presence | undefined): string | undefined {
  return item.assignee ? `Assigned to ${item.assignee.name ?? 'a former operator'} (${PRESENCE_LABEL[presence ?? 'offline']})` : undefined;
}

export function preview(item: ConversationItem): string {
  if (!item.lastMessage) return 'No messages yet';
  return item.lastMessage.text ?? 'File';
}
