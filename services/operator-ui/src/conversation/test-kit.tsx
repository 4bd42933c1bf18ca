import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { vi } from 'vitest';
import { Api, type Operator } from '../api/client';
import type { ConversationItem, Message } from '../api/types';
import type { LiveStream, StreamFrame } from '../live/stream';
import { SessionContext, type Session } from '../session';

/** One request the stubbed `fetch` saw. */
export type Call = { method: string; path: string; headers: Record<string, string>; body: unknown };
type Answer = { status?: number; body?: unknown } | Promise<{ status?: number; body?: unknown }>;
type Route = (call: Call) => Answer | undefined;

/** A `fetch` for `/api/v1` that answers from `routes` ("METHOD /path" without the query), and records every call. */
export function stubApi(routes: Record<string, Route | { status?: number; body?: unknown }>) {
  const calls: Call[] = [];
  const fetchStub = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://localhost');
    const call: Call = {
      method: init.method ?? 'GET',
      path: url.pathname.replace(/^\/api\/v1/, '') + url.search,
      headers: { ...(init.headers as Record<string, string>) },
      body: typeof init.body === 'string' ? JSON.parse(init.body) : init.body,
    };
    calls.push(call);
    const route = routes[`${call.method} ${url.pathname.replace(/^\/api\/v1/, '')}`];
    const answer = await (typeof route === 'function' ? route(call) : route);
    if (!answer) return new Response(JSON.stringify({ error: { code: 'not_found', message: `No stub for ${call.method} ${call.path}` } }), { status: 404 });
    const status = answer.status ?? 200;
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), { status, headers: { 'content-type': 'application/json' } });
  });
  vi.stubGlobal('fetch', fetchStub);
  return { calls, fetch: fetchStub, called: (method: string, prefix: string) => calls.filter((c) => c.method === method && c.path.startsWith(prefix)) };
}

/** A stream that the test drives; online in its first epoch, as after a first `hello`. */
export function fakeStream() {
  const listeners = new Set<(frame: StreamFrame) => void>();
  const stream = {
    status: 'online',
    epoch: 1,
    onFrame: (listener: (frame: StreamFrame) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onStatus: () => () => undefined,
    start() {
      return this;
    },
    stop: () => undefined,
  } as unknown as LiveStream;
  return { stream, emit: (frame: StreamFrame) => listeners.forEach((l) => l(frame)), listeners };
}

export const anna: Operator = { id: '00000000-0000-4000-8000-00000000000a', name: 'Anna', email: 'anna@relaydesk.local', role: 'operator', permissions: [], groupIds: ['g1'] };

export function renderWithSession(ui: ReactNode, stream = fakeStream().stream, me: Operator = anna) {
  const session: Session = { me, api: new Api('test-token'), stream, features: { outgoingWhatsApp: false }, groups: [{ id: 'g1', name: 'Support' }, { id: 'g2', name: 'Sales' }], logOut: () => undefined, switchToken: async () => undefined };
  return render(<SessionContext.Provider value={session}>{ui}</SessionContext.Provider>);
}

export const conversation = (over: Partial<ConversationItem> = {}): ConversationItem => ({
  id: 'c1',
  client: { id: 'cl1', name: 'Olga Client', channel: 'webchat', blacklisted: false },
  pin: null,
  lastMessageByOperator: false,
  assignee: { id: anna.id, name: 'Anna' },
  unreadCount: 0,
  group: { id: 'g1', name: 'Support' },
  status: 'in_progress',
  listedAt: '2026-12-01T10:00:00.000Z',
  lastMessage: null,
  ...over,
});

export const clientProfile = (over: Record<string, unknown> = {}) => ({
  id: 'cl1',
  name: 'Olga Client',
  originalName: 'Olga',
  channel: 'webchat',
  externalId: 'visitor-1',
  phone: null,
  note: '',
  pin: null,
  blacklisted: false,
  ...over,
});

let n = 0;
export const message = (over: Partial<Message> = {}): Message => ({
  id: `m${++n}`,
  direction: 'in',
  kind: 'text',
  text: 'Hello',
  sender: { type: 'client' },
  createdAt: new Date(Date.UTC(2026, 11, 1, 10, n)).toISOString(),
  tags: [],
  ...over,
});
