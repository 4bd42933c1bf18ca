import type { OperatorView } from '@relaydesk/contracts';
import type { OperatorRepository } from '../store/operator.repository';
import { assignScopeOf } from './may-assign-to';
import { viewOf, type Caller } from './operator';

export type Presence = 'online' | 'away' | 'offline';

export async function listAssignableOperators(
  deps: { operators: Pick<OperatorRepository, 'list'> },
  caller: Caller,
): Promise<(OperatorView & { presence: Presence })[]> {
  const operators = await deps.operators.list(assignScopeOf(caller));
  // Presence is not tracked yet; every operator shows offline until it is.
  return operators.map((o) => ({ ...viewOf(o), presence: 'offline' }));
}
