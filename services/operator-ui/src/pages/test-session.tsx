import type { ReactNode } from 'react';
import { vi } from 'vitest';
import { Api, type Operator } from '../api/client';
import type { Group } from '../api/types';
import { fakeStream } from '../conversation/test-kit';
import { SessionContext, type Session } from '../session';

/** A fetch stub answering by "METHOD path" (path without /api/v1, query included); records every call. */
export type Route = (url: URL, init: RequestInit) => { status?: number; body?: unknown; text?: string } | undefined;

export function stubFetch(route: Route) {
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://localhost');
    const answer = route(url, init) ?? { status: 404, body: { error: { code: 'not_found', message: `No stub for ${init.method ?? 'GET'} ${url.pathname}` } } };
    const status = answer.status ?? 200;
    if (status === 204) return new Response(null, { status });
    return new Response(answer.text ?? JSON.stringify(answer.body), { status, headers: { 'content-type': answer.text !== undefined ? 'text/csv' : 'application/json' } });
  });
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

export const admin: Operator = { id: '00000000-0000-4000-8000-000000000001', name: 'Ada Admin', email: 'admin@example.com', role: 'super_admin', permissions: [], groupIds: [] };
export const operator: Operator = { id: '00000000-0000-4000-8000-000000000002', name: 'Otto', email: 'otto@example.com', role: 'operator', permissions: [], groupIds: ['g1', 'g2'] };
export const groups: Group[] = [
  { id: 'g1', name: 'Sales' },
  { id: 'g2', name: 'Support' },
  { id: 'g3', name: 'Billing' },
];

export function sessionOf(me: Operator, overrides: Partial<Session> = {}): Session {
  return { me, api: new Api('t0k3n'), stream: fakeStream().stream, features: { outgoingWhatsApp: true }, groups, logOut: () => undefined, switchToken: async () => undefined, ...overrides };
}

export function withSession(session: Session, ui: ReactNode) {
  return <SessionContext.Provider value={session}>{ui}</SessionContext.Provider>;
}
