import { permissions as allPermissions, type CallerIdentity, type OperatorView, type Permission, type Role } from '@relaydesk/contracts';

/** An operator as stored: `permissions` are the ones granted, whatever the role. */
export type Operator = {
  id: string;
  name: string;
  email: string;
  role: Role;
  permissions: Permission[];
  groupIds: string[];
  /** Access tokens issued before this are refused (set when the password changes, on deactivation, or logging out everywhere). */
  tokensValidAfter?: Date | null;
  /** Ids of his access tokens that were logged out and have not expired yet. */
  revokedTokenIds?: string[];
  /** False once a super_admin deactivated him: no login, no token, not assignable. */
  active: boolean;
};

export type Group = { id: string; name: string };

/** The caller of a request: who he is and what he may do. */
export type Caller = CallerIdentity & { name: string; email: string };

/** D1: `super_admin` has every permission; an operator has the ones granted to him. */
export function effectivePermissions(role: Role, granted: Permission[]): Permission[] {
  switch (role) {
    case 'super_admin':
      return [...allPermissions];
    case 'operator':
      return allPermissions.filter((p) => granted.includes(p));
  }
}

export function viewOf(operator: Operator): OperatorView {
  const { id, name, email, role, permissions, groupIds, active } = operator;
  return { id, name, email, role, permissions: effectivePermissions(role, permissions), groupIds, active };
}

/** GET /me, and the stream's `operator.updated`: the caller as he sees himself. */
export function meOf({ operatorId, name, email, role, permissions, groupIds }: Caller) {
  return { id: operatorId, name, email, role, permissions, groupIds };
}

export function callerOfOperator(operator: Operator): Caller {
  const { id, name, email, role, permissions, groupIds } = viewOf(operator);
  return { operatorId: id, name, email, role, permissions, groupIds };
}
