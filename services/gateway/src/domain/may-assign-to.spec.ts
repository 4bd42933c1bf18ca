import { randomUUID } from 'node:crypto';
import { assignScopeOf, mayAssignTo } from './may-assign-to';

const sales = randomUUID();
const support = randomUUID();
const billing = randomUUID();

describe('mayAssignTo', () => {
  it('D21: super_admin may assign to anyone, whatever the groups', () => {
    const admin = { role: 'super_admin' as const, groupIds: [sales] };
    expect(assignScopeOf(admin)).toEqual({ kind: 'everyone' });
    expect(mayAssignTo(admin, { groupIds: [billing] })).toBe(true);
    expect(mayAssignTo(admin, { groupIds: [] })).toBe(true);
  });

  it('D21: an operator in groups may assign only to operators who share one of his groups', () => {
    const operator = { role: 'operator' as const, groupIds: [sales, support] };
    expect(assignScopeOf(operator)).toEqual({ kind: 'groups', groupIds: [sales, support] });
    expect(mayAssignTo(operator, { groupIds: [support, billing] })).toBe(true);
    expect(mayAssignTo(operator, { groupIds: [billing] })).toBe(false);
    expect(mayAssignTo(operator, { groupIds: [] })).toBe(false);
  });

  it('D21: an operator in no group may assign to anyone', () => {
    const operator = { role: 'operator' as const, groupIds: [] };
    expect(assignScopeOf(operator)).toEqual({ kind: 'everyone' });
    expect(mayAssignTo(operator, { groupIds: [billing] })).toBe(true);
    expect(mayAssignTo(operator, { groupIds: [] })).toBe(true);
  });
});
