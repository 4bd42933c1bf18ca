import { AppError } from '@relaydesk/service-kit';
import type { GroupRepository } from '../store/group.repository';
import type { Caller, Group } from './operator';
import { requireSuperAdmin } from './permissions';

export async function createGroup(deps: { groups: Pick<GroupRepository, 'create'> }, caller: Caller, name: string): Promise<Group> {
  requireSuperAdmin(caller, 'create groups');
  return deps.groups.create(name);
}

/** Conversations, channels and operators hold a group by id, so a new name shows wherever it is named. */
export async function renameGroup(deps: { groups: Pick<GroupRepository, 'rename'> }, caller: Caller, id: string, name: string): Promise<Group> {
  requireSuperAdmin(caller, 'rename groups');
  const renamed = await deps.groups.rename(id, name);
  if (!renamed) throw new AppError('not_found', `No group with id ${id}`);
  return renamed;
}
