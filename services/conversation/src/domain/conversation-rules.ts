import { canSee, hasAllTab, inScope, type CallerIdentity, type ConversationAction, type ConversationState } from '@relaydesk/contracts';
import { AppError } from '@relaydesk/service-kit';

export type Move = 'take' | 'close' | 'unassign' | 'reopen';
export type Decision = { action: ConversationAction; to: ConversationState };

export { canSee, inScope } from '@relaydesk/contracts';

/** D1: the All and Blacklist tabs. */
export { hasAllTab as mayUseAllTab };

const heldByOther = (c: CallerIdentity, conv: ConversationState) => conv.assigneeId !== null && conv.assigneeId !== c.operatorId;

/** D7, D8, D10: the operator's movements of a conversation, or why not (409 state, 403 not yours). */
export function decideMove(move: Move, c: CallerIdentity, conv: ConversationState): Decision {
  const mine = { status: 'in_progress', assigneeId: c.operatorId, groupId: conv.groupId } as const;
  switch (move) {
    case 'take':
      if (conv.status === 'closed') throw new AppError('conflict', 'The conversation is closed: start it again from Closed');
      // The winner's id goes with the refusal, for the gateway to name him (D7).
      if (heldByOther(c, conv)) throw new AppError('conflict', 'Another operator has already taken this conversation', [{ path: 'assigneeId', message: conv.assigneeId! }]);
      if (conv.status !== 'unassigned') throw new AppError('conflict', 'The conversation is already in your inbox');
      return { action: 'taken', to: mine };
    case 'close':
    case 'unassign':
      if (conv.status !== 'in_progress') throw new AppError('conflict', `The conversation is ${conv.status.replace('_', ' ')}, not in an inbox`);
      if (heldByOther(c, conv)) throw new AppError('forbidden', 'Only the operator who holds the conversation can do this');
      return move === 'close'
        ? { action: 'closed', to: { status: 'closed', assigneeId: conv.assigneeId, groupId: conv.groupId } }
        : { action: 'unassigned', to: { status: 'unassigned', assigneeId: null, groupId: conv.groupId } };
    case 'reopen':
      if (conv.status !== 'closed') throw new AppError('conflict', 'Only a closed conversation can be started again');
      if (heldByOther(c, conv) && c.role !== 'super_admin') throw new AppError('forbidden', 'Only the operator who closed the conversation can start it again');
      return { action: 'reopened', to: mine };
  }
}

/**
 * D21, D22: hand a conversation to an operator, or to a group's Unassigned. From Unassigned anyone
 * in scope may (the admin distributing); a held one only its holder, a manager or a super_admin.
 * Whether the target operator shares a group with the caller is the gateway's check (it owns groups).
 */
export function decideHandOver(c: CallerIdentity, conv: ConversationState, to: { operatorId: string } | { groupId: string }): Decision {
  if (conv.status === 'closed') throw new AppError('conflict', 'The conversation is closed: start it again from Closed first');
  const manager = c.role === 'super_admin' || c.permissions.includes('conversations.manage');
  if (heldByOther(c, conv) && !manager) throw new AppError('forbidden', 'Only the operator who holds the conversation, or a manager, can hand it over');
  if ('operatorId' in to) {
    if (conv.assigneeId === to.operatorId) throw new AppError('conflict', 'The conversation is already in that operator’s inbox');
    return { action: 'assigned', to: { status: 'in_progress', assigneeId: to.operatorId, groupId: conv.groupId } };
  }
  return { action: 'group_changed', to: { status: 'unassigned', assigneeId: null, groupId: to.groupId } };
}

/** D27: any operator who can open a conversation sends its client to the blacklist. */
export function decideBlacklist(c: CallerIdentity, conv: ConversationState, blacklisted: boolean): Decision {
  if (!canSee(c, conv)) throw new AppError('not_found', 'No such conversation');
  if (blacklisted) throw new AppError('conflict', 'The client is on the blacklist already');
  return { action: 'blacklisted', to: conv };
}

/**
 * D27: unlocking belongs to the Blacklist tab (D1 permission). If the client wrote while blocked,
 * the conversation goes to Unassigned of its group; otherwise it stays as it was.
 */
export function decideUnlock(c: CallerIdentity, conv: ConversationState, blacklisted: boolean, blockedMessages: number): Decision {
  if (!hasAllTab(c) || !inScope(c, conv.groupId)) {
    if (!canSee(c, conv)) throw new AppError('not_found', 'No such conversation');
    throw new AppError('forbidden', 'Unlocking needs the “Show tab All” (conversations.view_all) or “Conversations management” (conversations.manage) permission.');
  }
  if (!blacklisted) throw new AppError('conflict', 'The client is not on the blacklist');
  const to: ConversationState = blockedMessages > 0 ? { status: 'unassigned', assigneeId: null, groupId: conv.groupId } : conv;
  return { action: 'unlocked', to };
}

/**
 * D6: a client message puts a new or closed conversation into Unassigned; otherwise it stays.
 * D30: a pinned client's closed conversation skips Unassigned for the pin holder's My inbox.
 */
export function decideOnClientMessage(conv: ConversationState | undefined, routedGroupId: string, pinnedOperatorId: string | null = null): Decision | undefined {
  if (!conv) return { action: 'created', to: { status: 'unassigned', assigneeId: null, groupId: routedGroupId } };
  if (conv.status !== 'closed') return undefined;
  if (pinnedOperatorId) return { action: 'assigned', to: { status: 'in_progress', assigneeId: pinnedOperatorId, groupId: conv.groupId } };
  return { action: 'unassigned', to: { status: 'unassigned', assigneeId: null, groupId: conv.groupId } };
}

/** D30: an operator or super_admin pins a client he can see to himself; a pin held by another is detached first. */
export function decidePin(c: CallerIdentity, conv: ConversationState, holder: string | null): void {
  if (!canSee(c, conv)) throw new AppError('not_found', 'No such client');
  if (holder === c.operatorId) throw new AppError('conflict', 'The client is pinned to you already');
  if (holder) throw new AppError('conflict', 'The client is pinned to another operator, who must detach the client first');
}

/** D31: the holder detaches his own pin; a super_admin anyone's. */
export function decideUnpin(c: CallerIdentity, conv: ConversationState, holder: string | null): void {
  if (!canSee(c, conv)) throw new AppError('not_found', 'No such client');
  if (!holder) throw new AppError('conflict', 'The client is not pinned');
  if (holder !== c.operatorId && c.role !== 'super_admin') throw new AppError('forbidden', 'Only the operator the client is pinned to, or a super_admin, can detach the client');
}

/** D8: only the holder replies. */
export function assertMayReply(c: CallerIdentity, conv: ConversationState): void {
  if (conv.status !== 'in_progress' || conv.assigneeId !== c.operatorId) {
    throw new AppError('forbidden', 'Only the operator who holds the conversation in My inbox can reply');
  }
}
