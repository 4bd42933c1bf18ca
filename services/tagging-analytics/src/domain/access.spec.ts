import { randomUUID } from 'node:crypto';
import type { CallerIdentity } from '@relaydesk/contracts';
import { analyticsScope } from './access';

const [g1, g2, other] = [randomUUID(), randomUUID(), randomUUID()];
const caller = (over: Partial<CallerIdentity>): CallerIdentity => ({ operatorId: randomUUID(), role: 'operator', permissions: ['analytics.view'], groupIds: [], ...over });

describe('tag analytics access', () => {
  it('D25: without analytics.view an operator is refused, even with every other permission', () => {
    expect(() => analyticsScope(caller({ permissions: ['conversations.manage', 'conversations.view_all'] }), undefined)).toThrow(/analytics\.view/);
  });

  it('D1: a super_admin needs no listed permission and sees every group, or the one he asks for', () => {
    const admin = caller({ role: 'super_admin', permissions: [], groupIds: [g1] });
    expect(analyticsScope(admin, undefined)).toBeUndefined();
    expect(analyticsScope(admin, other)).toEqual([other]);
  });

  it('D3: an analyst in groups sees his groups only; asking for another group is forbidden', () => {
    const analyst = caller({ groupIds: [g1, g2] });
    expect(analyticsScope(analyst, undefined)).toEqual([g1, g2]);
    expect(analyticsScope(analyst, g2)).toEqual([g2]);
    expect(() => analyticsScope(analyst, other)).toThrow(expect.objectContaining({ code: 'forbidden' }));
  });

  it('D3: an analyst in no group sees every group', () => {
    expect(analyticsScope(caller({}), undefined)).toBeUndefined();
    expect(analyticsScope(caller({}), other)).toEqual([other]);
  });
});
