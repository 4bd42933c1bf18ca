import type { CallerIdentity } from './identity';
import type { ConversationState } from './events/conversation-moved';

/** D1, D9: the All and Blacklist tabs. */
export const hasAllTab = (c: CallerIdentity): boolean =>
  c.role === 'super_admin' || c.permissions.includes('conversations.view_all') || c.permissions.includes('conversations.manage');

/** D3: an operator in groups works within them; one in no group everywhere. */
export const inScope = (c: CallerIdentity, groupId: string): boolean =>
  c.role === 'super_admin' || c.groupIds.length === 0 || c.groupIds.includes(groupId);

/** D3, D4, D9, D34: what a caller may open at all; anything else is answered 404. */
export function canSee(c: CallerIdentity, conv: ConversationState): boolean {
  if (c.role === 'super_admin' || conv.assigneeId === c.operatorId) return true;
  if (hasAllTab(c)) return inScope(c, conv.groupId);
  return conv.status === 'unassigned' && inScope(c, conv.groupId);
}
