import type { GroupRepository } from '../store/group.repository';
import type { Caller, Group } from './operator';
import { requireSuperAdmin } from './permissions';

export async function createGroup(deps: { groups: Pick<GroupRepository, 'create'> }, caller: Caller, name: string): Promise<Group> {
  requireSuperAdmin(caller, 'create groups');
  return deps.groups.create(name);
}
