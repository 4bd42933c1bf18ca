import { randomUUID } from 'node:crypto';
import { permissions } from '@relaydesk/contracts';
import { callerOfOperator, effectivePermissions, type Operator } from './operator';

describe('effectivePermissions', () => {
  it('D1: super_admin has every permission, granted or not', () => {
    expect(effectivePermissions('super_admin', [])).toEqual([...permissions]);
  });

  it('D1: an operator has only the permissions granted to him', () => {
    expect(effectivePermissions('operator', [])).toEqual([]);
    expect(effectivePermissions('operator', ['analytics.view', 'conversations.view_all'])).toEqual(['conversations.view_all', 'analytics.view']);
  });

  it('gives the caller his effective permissions and nothing of the password', () => {
    const operator: Operator = { id: randomUUID(), name: 'Ann', email: 'ann@example.com', role: 'super_admin', permissions: [], groupIds: [], active: true };
    expect(callerOfOperator(operator)).toEqual({ operatorId: operator.id, name: 'Ann', email: 'ann@example.com', role: 'super_admin', permissions: [...permissions], groupIds: [] });
  });
});
