import { describe, expect, it } from 'vitest';
import { pathOf, routeOf, type Route } from './route';

describe('route', () => {
  it('reads back every path it writes', () => {
    const routes: Route[] = [
      { page: 'conversations', tab: 'unassigned' },
      { page: 'conversations', tab: 'mine', conversationId: '0194f3a2-7c1e-7d3a-9b2e-3f4a5b6c7d8e' },
      { page: 'conversations', tab: 'blacklist' },
      { page: 'conversations', conversationId: '0194f3a2-7c1e-7d3a-9b2e-3f4a5b6c7d8e' },
      { page: 'canned' },
      { page: 'analytics' },
      { page: 'team' },
      { page: 'channels' },
    ];
    for (const route of routes) expect(routeOf(pathOf(route))).toEqual(route);
  });

  it('takes anything else for the conversations, ignoring what it cannot read', () => {
    expect(routeOf('/')).toEqual({ page: 'conversations' });
    expect(routeOf('/nowhere/at/all')).toEqual({ page: 'conversations' });
    expect(routeOf('/conversations/inbox/x')).toEqual({ page: 'conversations' });
    expect(routeOf('/conversations/all/<script>')).toEqual({ page: 'conversations', tab: 'all' });
    expect(routeOf('/conversations/not-a-uuid')).toEqual({ page: 'conversations' });
    expect(routeOf('/conversations/mine/0194f3a2-7c1e-7d3a-9b2e-3f4a5b6c7d8e/extra')).toEqual({ page: 'conversations' });
    expect(pathOf({ page: 'conversations' })).toBe('/conversations/unassigned');
  });
});
