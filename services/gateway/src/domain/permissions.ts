import { AppError } from '@relaydesk/service-kit';
import type { Caller } from './operator';

export function requireSuperAdmin(caller: Pick<Caller, 'role'>, action: string): void {
  if (caller.role !== 'super_admin') throw new AppError('forbidden', `Only a super_admin may ${action}`);
}
