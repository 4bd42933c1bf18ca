import type { CreateOperatorBody, OperatorView } from '@relaydesk/contracts';
import type { Passwords } from '../auth/passwords';
import type { Directory } from '../store/directory';
import type { OperatorRepository } from '../store/operator.repository';
import { viewOf, type Caller } from './operator';
import { requireSuperAdmin } from './permissions';
import { requireKnownGroups } from './require-known-groups';

export type CreateOperatorDeps = {
  operators: Pick<OperatorRepository, 'create'>;
  directory: Pick<Directory, 'missingGroupIds'>;
  passwords: Pick<Passwords, 'hash'>;
};

export async function createOperator(deps: CreateOperatorDeps, caller: Caller, body: CreateOperatorBody): Promise<OperatorView> {
  requireSuperAdmin(caller, 'create operators');
  const { password, groupIds, ...rest } = body;
  const operator = await deps.operators.create({
    ...rest,
    groupIds: await requireKnownGroups(deps.directory, groupIds),
    passwordHash: await deps.passwords.hash(password),
  });
  return viewOf(operator);
}
