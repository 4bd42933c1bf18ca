import type { Caller } from './operator';

/** Whose operators a caller may pick as assignee: everyone, or members of these groups. */
export type AssignScope = { kind: 'everyone' } | { kind: 'groups'; groupIds: string[] };

/** D21: `super_admin` picks anyone; an operator in groups only those who share one; in no group, anyone. */
export function assignScopeOf(caller: Pick<Caller, 'role' | 'groupIds'>): AssignScope {
  if (caller.role === 'super_admin' || caller.groupIds.length === 0) return { kind: 'everyone' };
  return { kind: 'groups', groupIds: caller.groupIds };
}

export function mayAssignTo(caller: Pick<Caller, 'role' | 'groupIds'>, target: { groupIds: string[] }): boolean {
  const scope = assignScopeOf(caller);
  switch (scope.kind) {
    case 'everyone':
      return true;
    case 'groups':
      return target.groupIds.some((g) => scope.groupIds.includes(g));
  }
}
