import type { OperatorView } from '@relaydesk/contracts';
import type { OperatorRepository } from '../store/operator.repository';
import type { PresenceStore } from '../store/presence';
import { assignScopeOf } from './may-assign-to';
import { viewOf, type Caller } from './operator';

export type Presence = 'online' | 'away' | 'offline';

export async function listAssignableOperators(
  deps: { operators: Pick<OperatorRepository, 'list'>; presence: Pick<PresenceStore, 'of'> },
  caller: Caller,
): Promise<(OperatorView & { presence: Presence })[]> {
  const operators = await deps.operators.list(assignScopeOf(caller));
  const presence = await deps.presence.of(operators.map((o) => o.id));
  return operators.map((o) => ({ ...viewOf(o), presence: presence.get(o.id) ?? 'offline' }));
}
