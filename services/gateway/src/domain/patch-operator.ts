import type { OperatorView, PatchOperatorBody } from '@relaydesk/contracts';
import { AppError } from '@relaydesk/service-kit';
import type { Passwords } from '../auth/passwords';
import type { Directory } from '../store/directory';
import type { OperatorChanges, OperatorRepository } from '../store/operator.repository';
import { announceOperatorChanged, type AnnounceDeps } from './announce-operator-changed';
import { viewOf, type Caller } from './operator';
import { requireSuperAdmin } from './permissions';
import { requireKnownGroups } from './require-known-groups';

export type PatchOperatorDeps = AnnounceDeps & {
  operators: Pick<OperatorRepository, 'findById' | 'update' | 'countSuperAdmins'>;
  directory: Pick<Directory, 'missingGroupIds'>;
  passwords: Pick<Passwords, 'hash'>;
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
  await announceOperatorChanged(deps, id);
  return viewOf(updated);
}

/** Ends every session of an operator (a lost laptop) without changing his password. */
export async function logOutOperator(deps: PatchOperatorDeps, caller: Caller, id: string): Promise<void> {
  requireSuperAdmin(caller, 'log operators out');
  if (!(await deps.operators.update(id, { revokeTokens: true }))) throw new AppError('not_found', `No operator with id ${id}`);
  await announceOperatorChanged(deps, id);
}
