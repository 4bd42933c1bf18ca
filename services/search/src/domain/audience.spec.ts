import { randomUUID } from 'node:crypto';
import type { CallerIdentity } from '@relaydesk/contracts';
import { audienceOf } from './audience';

const operator = (more: Partial<CallerIdentity> = {}): CallerIdentity => ({ operatorId: randomUUID(), role: 'operator', permissions: [], groupIds: [], ...more });

describe('audienceOf', () => {
  it('D1: a super_admin searches everything', () => {
    expect(audienceOf(operator({ role: 'super_admin', groupIds: [randomUUID()] }))).toEqual({ everything: true });
  });

  it('D3: an operator in groups is scoped to them; in no group, to every group', () => {
    const groupIds = [randomUUID()];
    const inGroups = operator({ groupIds });
    expect(audienceOf(inGroups)).toEqual({ everything: false, operatorId: inGroups.operatorId, groupIds, allTab: false });
    expect(audienceOf(operator())).toMatchObject({ groupIds: null, allTab: false });
  });

  it('D1, D4: either All-tab permission gives the All tab', () => {
    expect(audienceOf(operator({ permissions: ['conversations.view_all'] }))).toMatchObject({ allTab: true });
    expect(audienceOf(operator({ permissions: ['conversations.manage'] }))).toMatchObject({ allTab: true });
    expect(audienceOf(operator({ permissions: ['analytics.view'] }))).toMatchObject({ allTab: false });
  });
});
