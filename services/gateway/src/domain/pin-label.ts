import type { Caller } from './operator';

/** D32: what the pin control says to this caller. NAME is the holder's name. */
export function pinLabel(caller: Pick<Caller, 'operatorId' | 'role'>, holder: { id: string; name: string }): string {
  if (holder.id === caller.operatorId) return 'Detach';
  if (caller.role === 'super_admin') return `Detach (assigned to ${holder.name})`;
  return `Pinned (${holder.name})`;
}
