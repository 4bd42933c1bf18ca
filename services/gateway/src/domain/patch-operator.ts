import type { OperatorView, PatchOperatorBody } from '@relaydesk/contracts';
import type { LiveState } from '@relaydesk/live';
import { AppError, type Logger } from '@relaydesk/service-kit';
import type { Passwords } from '../auth/passwords';
import type { Directory } from '../store/directory';
import type { OperatorChanges, OperatorRepository } from '../store/operator.repository';
import { viewOf, type Caller } from './operator';
import { requireSuperAdmin } from './permissions';
import { requireKnownGroups } from './require-known-groups';

export type PatchOperatorDeps = {
  operators: Pick<OperatorRepository, 'findById' | 'update' | 'countSuperAdmins'>;
  directory: Pick<Directory, 'missingGroupIds'>;
  passwords: Pick<Passwords, 'hash'>;
  live: Pick<LiveState, 'announceOperatorChanged'>;
  logger: Pick<Logger, 'warn'>;
};

export async function patchOperator(deps: PatchOperatorDeps, caller: Caller, id: string, body: PatchOperatorBody): Promise<OperatorView> {
  requireSuperAdmin(caller, 'change operators');
  const target = await deps.operators.findById(id);
  if (!target) throw new AppError('not_found', `No operator with id ${id}`);
  // So that some super_admin can always log in: the caller is one, and stays one.
  if (body.active === false && target.id === caller.operatorId) throw new AppError('conflict', 'You cannot deactivate yourself: ask another super_admin');
  if (target.role === 'super_admin' && target.active && body.role === 'operator' && (await deps.operators.countSuperAdmins()) <= 1) {
    throw new AppError('conflict', 'This is the last super_admin: make another one before changing this one to operator');
  }
  const { password, groupIds, ...rest } = body;
  const changes: OperatorChanges = { ...rest };
  if (groupIds) changes.groupIds = await requireKnownGroups(deps.directory, groupIds);
  if (password) changes.passwordHash = await deps.passwords.hash(password);
  const updated = await deps.operators.update(id, changes);
  if (!updated) throw new AppError('not_found', `No operator with id ${id}`);
  // His open sockets follow at once (closed when deactivated, re-scoped to new groups); should Redis
  // miss this, they follow at their next refresh instead, so the change still stands.
  await deps.live.announceOperatorChanged(id).catch((error: unknown) => deps.logger.warn({ err: error, operatorId: id }, 'operator changed: open streams follow at their next refresh'));
  return viewOf(updated);
}
