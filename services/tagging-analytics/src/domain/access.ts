import type { CallerIdentity } from '@relaydesk/contracts';
import { AppError } from '@relaydesk/service-kit';

/** The groups whose tagged messages a query counts; `undefined`: every group. */
export type GroupScope = string[] | undefined;

/**
 * D25 with D1 and D3: tag analytics needs `analytics.view` (a super_admin has every permission). An
 * operator in groups sees the messages of his groups (the group when tagged), and may narrow to
 * one of them; an operator in no group and a super_admin see every group.
 */
export function analyticsScope(caller: CallerIdentity, groupId: string | undefined): GroupScope {
  const superAdmin = caller.role === 'super_admin';
  if (!superAdmin && !caller.permissions.includes('analytics.view')) {
    throw new AppError('forbidden', 'Tag analytics needs the analytics.view permission');
  }
  const everyGroup = superAdmin || caller.groupIds.length === 0;
  if (groupId === undefined) return everyGroup ? undefined : caller.groupIds;
  if (!everyGroup && !caller.groupIds.includes(groupId)) {
    throw new AppError('forbidden', 'You may see tag analytics of your own groups only; this groupId is not one of them');
  }
  return [groupId];
}
