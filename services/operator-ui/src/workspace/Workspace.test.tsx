import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Api, type Operator } from '../api/client';
import type { ConversationItem } from '../api/types';
import { fakeStream } from '../conversation/test-kit';
import type { StreamFrame } from '../live/stream';
import { SessionContext, type Session } from '../session';
import { Workspace } from './Workspace';

/** What the pane would report of its conversation (`onItem`), as a test says it. */
const pane = vi.hoisted(() => ({ report: undefined as ((item: ConversationItem) => void) | undefined }));
vi.mock('../conversation/ConversationPane', () => ({
  ConversationPane: ({ conversationId, onLeave, onItem }: { conversationId: string; onLeave: () => void; onItem?: (item: ConversationItem) => void }) => {
    pane.report = onItem;
    return (
      <section>
        <p data-testid="pane">Conversation {conversationId}</p>
        <button onClick={onLeave}>leave</button>
        <textarea aria-label="Reply" />
      </section>
    );
  },
}));

const ME: Operator = { id: 'op-me', name: 'Anna', email: 'anna@example.com', role: 'operator', permissions: [], groupIds: [] };
const conv = (id: string, over: Partial<ConversationItem> = {}): ConversationItem => ({
  id,
  client: { id: `cl-${id}`, name: `Client ${id}`, channel: 'telegram', blacklisted: false },
  pin: null,
  lastMessageByOperator: false,
  assignee: null,
  unreadCount: 0,
  group: { id: 'g1', name: 'Sales' },
  status: 'unassigned',
  listedAt: '2026-12-01T10:00:00.000Z',
  lastMessage: { text: 'hello there', at: '2026-12-01T10:00:00.000Z', direction: 'in' },
  ...over,
});

type Route = (url: URL) => unknown;
let calls: string[] = [];
function stubFetch(routes: Record<string, Route>) {
  calls = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string) => {
      const url = new URL(input, 'http://ui.test');
      calls.push(url.pathname + url.search);
      const route = routes[url.pathname.replace('/api/v1', '')];
      if (!route) return new Response(JSON.stringify({ error: { code: 'not_found', message: 'no route' } }), { status: 404 });
      const body = route(url);
      if (body instanceof Response) return body;
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    }),
  );
}

function renderWorkspace(me: Operator = ME) {
  const live = fakeStream();
  const session: Session = {
    me,
    api: new Api('token'),
    stream: live.stream,
    features: { outgoingWhatsApp: false },
    groups: [
      { id: 'g1', name: 'Sales' },
      { id: 'g2', name: 'Support' },
    ],
    logOut: () => undefined, switchToken: async () => undefined,
  };
  render(
    <SessionContext.Provider value={session}>
      <Workspace />
    </SessionContext.Provider>,
  );
  return { emit: (frame: StreamFrame) => act(() => live.emit(frame)) };
}

beforeAll(() => {
  // jsdom lays nothing out: give the virtualised list a height so that it renders rows.
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 800 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 380 });
});

beforeEach(() => {
  stubFetch({
    '/conversations': (url) => {
      const tab = url.searchParams.get('tab');
      if (tab === 'unassigned') return { items: [conv('a', { unreadCount: 2 }), conv('b', { client: { id: 'x', name: '<img src=x onerror=alert(1)>', channel: 'whatsapp', blacklisted: false }, listedAt: '2026-12-01T09:00:00.000Z' })], nextCursor: null };
      if (tab === 'mine') return { items: [conv('m', { status: 'in_progress', assignee: { id: ME.id, name: 'Anna' }, lastMessageByOperator: true })], nextCursor: null };
      return { items: [], nextCursor: null };
    },
    '/conversations/counters': () => ({ mine: 1, unread: { unassigned: 1, mine: 0 } }),
    '/operators': () => ({ items: [{ id: ME.id, name: 'Anna', presence: 'online' }, { id: 'op-b', name: 'Boris', presence: 'away' }] }),
    '/search': (url) => ({
      items: [{ conversation: conv('s1', { client: { id: 'c', name: 'Helga', channel: 'webchat', blacklisted: false } }), nameHighlight: [[0, 5]], messageCount: 1, matches: [{ messageId: 'm1', text: 'hello world', createdAt: '2026-12-01T10:00:00.000Z', highlight: [[0, 5]] }] }],
      nextCursor: null,
      q: url.searchParams.get('q'),
    }),
  });
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

const options = () => within(screen.getByRole('listbox')).queryAllByRole('option');

describe('Workspace (tabs and list)', () => {
  it('D1: an operator without the permissions sees three tabs; #9 and #10 from the counters', async () => {
    renderWorkspace();
    expect(await screen.findByText('Client a')).toBeTruthy();
    await screen.findByText('1', { selector: '.ws-count' });
    expect(screen.getAllByRole('tab').map((t) => t.getAttribute('aria-label')?.replace(/,.*/, ''))).toEqual(['Unassigned', 'My inbox', 'Closed']);
    expect(screen.getByRole('tab', { name: 'My inbox, 1 conversation' })).toBeTruthy();
    expect(screen.getByRole('tab', { name: 'Unassigned, 1 with unread messages' })).toBeTruthy();
    expect(calls).toContain('/api/v1/conversations?tab=unassigned&limit=50');
  });

  it('D1: All and Blacklist for a super_admin', () => {
    renderWorkspace({ ...ME, role: 'super_admin' });
    expect(screen.getAllByRole('tab').map((t) => t.textContent?.replace(/[0-9,].*/, ''))).toEqual(['Unassigned', 'My inbox', 'Closed', 'All', 'Blacklist']);
  });

  it('D13: items show their elements; HTML in a client name is text', async () => {
    renderWorkspace();
    await screen.findByText('Client a');
    const [a, b] = options();
    expect(a!.textContent).toContain('hello there');
    expect(within(a!).getByLabelText('2 unread')).toBeTruthy();
    expect(within(a!).getByRole('img', { name: 'Telegram' })).toBeTruthy();
    expect(a!.textContent).toContain('Sales');
    expect(a!.textContent).toContain('Unassigned');
    expect(b!.textContent).toContain('<img src=x onerror=alert(1)>');
    expect(b!.querySelector('img')).toBeNull();
    expect(within(b!).getByRole('img', { name: 'WhatsApp' })).toBeTruthy();
  });

  it('D13: a row is read out as phrases, in the order it shows them, not as its texts run together', async () => {
    renderWorkspace();
    await screen.findByText('Client a');
    expect(screen.getByRole('option', { name: /^Telegram, Client a, [^,]+, hello there, 2 unread, Unassigned, group Sales$/ })).toBeTruthy();
    fireEvent.click(screen.getByRole('tab', { name: /My inbox/ }));
    await screen.findByText('Client m');
    expect(screen.getByRole('option', { name: /^[\w ]+, Client m, [^,]+, Operator wrote last: .+, In progress, group \w+, assigned to Anna \(online\)$/ })).toBeTruthy();
  });

  it('D7: visible:false takes a conversation out at once; new ones come in on top; counters follow', async () => {
    const stream = renderWorkspace();
    await screen.findByText('Client a');
    stream.emit({ type: 'conversation.updated', data: { id: 'a', visible: false } });
    expect(screen.queryByText('Client a')).toBeNull();
    stream.emit({ type: 'conversation.updated', data: { ...conv('n', { listedAt: '2026-12-02T10:00:00.000Z' }), visible: true } });
    expect(options().map((o) => o.getAttribute('data-id'))).toEqual(['n', 'b']);
    stream.emit({ type: 'counters.updated', data: { mine: 5, unread: { unassigned: 0, mine: 0 } } });
    expect(screen.getByRole('tab', { name: 'My inbox, 5 conversations' })).toBeTruthy();
    expect(screen.getByRole('tab', { name: 'Unassigned' })).toBeTruthy();
  });

  it('the browser tab is titled by the open tab, with how many conversations wait unread in Unassigned and My inbox', async () => {
    const stream = renderWorkspace();
    await screen.findByText('Client a');
    await waitFor(() => expect(document.title).toBe('(1) Unassigned · Relaydesk'));
    stream.emit({ type: 'counters.updated', data: { mine: 2, unread: { unassigned: 3, mine: 2, closed: 4 } } });
    expect(document.title).toBe('(5) Unassigned · Relaydesk');
    stream.emit({ type: 'counters.updated', data: { mine: 2, unread: { unassigned: 0, mine: 0, closed: 4 } } });
    expect(document.title).toBe('Unassigned · Relaydesk');
  });

  it('reads the tab once at start: the hello of the subscription it was read in asks for nothing more', async () => {
    const stream = renderWorkspace();
    await screen.findByText('Client a');
    stream.emit({ type: 'hello', id: '1-0', data: { operatorId: ME.id, counters: { mine: 0, unread: { unassigned: 1, mine: 0, closed: 0 } } } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls.filter((c) => c.startsWith('/api/v1/conversations?'))).toHaveLength(1);
  });

  it('reads the tab again on reload', async () => {
    const stream = renderWorkspace();
    await screen.findByText('Client a');
    const before = calls.filter((c) => c.startsWith('/api/v1/conversations?')).length;
    stream.emit({ type: 'reload', data: { reason: 'gap' } });
    await vi.waitFor(() => expect(calls.filter((c) => c.startsWith('/api/v1/conversations?')).length).toBe(before + 1));
    expect(calls.filter((c) => c === '/api/v1/conversations/counters').length).toBe(2);
  });

  it('switches tabs; My inbox shows the operator’s mark and the assignee with presence', async () => {
    renderWorkspace();
    await screen.findByText('Client a');
    fireEvent.click(screen.getByRole('tab', { name: /My inbox/ }));
    const item = await screen.findByText('Client m');
    const row = item.closest('[role="option"]') as HTMLElement;
    expect(within(row).getByLabelText('Operator wrote last:')).toBeTruthy();
    expect(row.textContent).toContain('Anna');
    expect(row.textContent).toContain('(online)');
    expect(calls).toContain('/api/v1/conversations?tab=mine&limit=50');
  });

  it('the address follows the tab and the open conversation; Back returns to each, and a reload of it opens them again', async () => {
    renderWorkspace();
    await screen.findByText('Client a');
    fireEvent.click(screen.getByText('Client a'));
    expect(window.location.pathname).toBe('/conversations/unassigned/a');
    fireEvent.click(screen.getByRole('tab', { name: /My inbox/ }));
    await screen.findByText('Client m');
    expect(window.location.pathname).toBe('/conversations/mine/a');
    fireEvent.click(screen.getByText('Client m'));
    expect(screen.getByTestId('pane').textContent).toBe('Conversation m');

    await act(async () => {
      window.history.back();
      await new Promise((resolve) => window.addEventListener('popstate', resolve, { once: true }));
    });
    expect(window.location.pathname).toBe('/conversations/mine/a');
    expect(screen.getByTestId('pane').textContent).toBe('Conversation a');
    await act(async () => {
      window.history.back();
      await new Promise((resolve) => window.addEventListener('popstate', resolve, { once: true }));
    });
    await screen.findByText('Client a');
    expect(window.location.pathname).toBe('/conversations/unassigned/a');
    expect(screen.getByRole('tab', { selected: true }).textContent).toMatch(/^Unassigned/);

    cleanup();
    window.history.replaceState(null, '', '/conversations/mine/m');
    renderWorkspace();
    await screen.findByText('Client m');
    expect(screen.getByRole('tab', { selected: true }).textContent).toMatch(/^My inbox/);
    expect(screen.getByTestId('pane').textContent).toBe('Conversation m');
  });

  it('D7: a won take moves the list and the address to My inbox, with the conversation still open', async () => {
    renderWorkspace();
    await screen.findByText('Client a');
    fireEvent.click(screen.getByText('Client a'));
    act(() => pane.report!(conv('a')));
    expect(window.location.pathname).toBe('/conversations/unassigned/a');
    act(() => pane.report!(conv('a', { status: 'in_progress', assignee: { id: ME.id, name: 'Anna' } })));
    expect(window.location.pathname).toBe('/conversations/mine/a');
    await screen.findByText('Client m');
    expect(screen.getByRole('tab', { selected: true }).textContent).toMatch(/^My inbox/);
    expect(screen.getByTestId('pane').textContent).toBe('Conversation a');
    // With it open, the operator may still look at another tab; a later change of it does not pull him back.
    fireEvent.click(screen.getByRole('tab', { name: /Unassigned/ }));
    act(() => pane.report!(conv('a', { status: 'in_progress', assignee: { id: ME.id, name: 'Anna' }, unreadCount: 1 })));
    expect(window.location.pathname).toBe('/conversations/unassigned/a');
  });

  it('D4: a colleague taking the open conversation does not move a view_all operator off his tab', async () => {
    renderWorkspace({ ...ME, permissions: ['conversations.view_all'] });
    await screen.findByText('Client a');
    fireEvent.click(screen.getByText('Client a'));
    act(() => pane.report!(conv('a', { status: 'in_progress', assignee: { id: 'op-b', name: 'Boris' } })));
    expect(window.location.pathname).toBe('/conversations/unassigned/a');
  });

  it('a link that names no tab (from analytics) opens the conversation in the tab it is in', async () => {
    const id = '0194f3a2-7c1e-7d3a-9b2e-3f4a5b6c7d8e';
    window.history.replaceState(null, '', `/conversations/${id}`);
    renderWorkspace();
    expect(screen.getByTestId('pane').textContent).toBe(`Conversation ${id}`);
    act(() => pane.report!(conv(id, { status: 'closed', assignee: { id: ME.id, name: 'Anna' } })));
    expect(window.location.pathname).toBe(`/conversations/closed/${id}`);
    expect(screen.getByRole('tab', { selected: true }).textContent).toMatch(/^Closed/);
  });

  it('an address of a tab the operator does not have shows Unassigned', async () => {
    window.history.replaceState(null, '', '/conversations/blacklist');
    renderWorkspace();
    await screen.findByText('Client a');
    expect(screen.getByRole('tab', { selected: true }).textContent).toMatch(/^Unassigned/);
  });

  it('keyboard: arrows move, Enter opens the conversation', async () => {
    renderWorkspace();
    await screen.findByText('Client a');
    const list = screen.getByRole('listbox');
    fireEvent.focus(list);
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    expect(list.getAttribute('aria-activedescendant')).toBe('ws-item-b');
    fireEvent.keyDown(list, { key: 'Enter' });
    expect(screen.getByTestId('pane').textContent).toBe('Conversation b');
    expect(options()[1]!.getAttribute('aria-selected')).toBe('true');
  });

  it('keyboard: Escape in the open conversation goes back to the list, but not from a reply box with text in it', async () => {
    renderWorkspace();
    await screen.findByText('Client a');
    fireEvent.click(screen.getByText('Client a'));
    const reply = screen.getByLabelText('Reply');
    fireEvent.change(reply, { target: { value: 'half a sentence' } });
    fireEvent.keyDown(reply, { key: 'Escape' });
    expect(screen.getByTestId('pane').textContent).toBe('Conversation a');
    fireEvent.keyDown(screen.getByRole('button', { name: 'leave' }), { key: 'Escape' });
    expect(screen.queryByTestId('pane')).toBeNull();
  });

  it('D26: under 3 characters says why; 3 or more searches and highlights', async () => {
    renderWorkspace();
    await screen.findByText('Client a');
    const box = screen.getByLabelText(/Search conversations/);
    fireEvent.change(box, { target: { value: 'he' } });
    expect(screen.getByText(/at least 3 characters/)).toBeTruthy();
    expect(calls.some((c) => c.startsWith('/api/v1/search'))).toBe(false);
    fireEvent.change(box, { target: { value: 'hel' } });
    const marks = await screen.findAllByText('hello', { selector: 'mark' });
    expect(marks.length).toBe(1);
    expect(calls).toContain('/api/v1/search?q=hel&limit=20');
    fireEvent.click(screen.getByRole('button', { name: /Helga/ }));
    expect(screen.getByTestId('pane').textContent).toBe('Conversation s1');
  });

  it('D14: when the open conversation leaves (taken by a colleague), nothing opens by itself; the next one is the active row, and Enter opens it', async () => {
    const stream = renderWorkspace();
    await screen.findByText('Client a');
    fireEvent.click(screen.getByText('Client a'));
    expect(screen.getByTestId('pane').textContent).toBe('Conversation a');
    stream.emit({ type: 'conversation.updated', data: { id: 'a', visible: false } });
    fireEvent.click(screen.getByRole('button', { name: 'leave' }));
    expect(screen.queryByTestId('pane')).toBeNull();
    expect(screen.getByText('Choose a conversation')).toBeTruthy();
    const list = screen.getByRole('listbox');
    expect(list.getAttribute('aria-activedescendant')).toBe('ws-item-b');
    fireEvent.keyDown(list, { key: 'Enter' });
    expect(screen.getByTestId('pane').textContent).toBe('Conversation b');
  });

  it('asks for notification permission only from the button, and notifies while the tab is hidden', async () => {
    const requestPermission = vi.fn(async () => 'granted' as NotificationPermission);
    const shown: { title: string; body?: string }[] = [];
    class FakeNotification {
      static permission: NotificationPermission = 'default';
      static requestPermission = requestPermission;
      onclick: (() => void) | null = null;
      constructor(title: string, options?: NotificationOptions) {
        shown.push({ title, body: options?.body });
      }
      close() {}
    }
    vi.stubGlobal('Notification', FakeNotification);
    const stream = renderWorkspace();
    await screen.findByText('Client a');
    expect(requestPermission).not.toHaveBeenCalled();
    FakeNotification.permission = 'granted';
    await act(async () => fireEvent.click(screen.getByRole('button', { name: /Turn on desktop notifications/ })));
    expect(requestPermission).toHaveBeenCalledTimes(1);
    expect(screen.getByRole('button', { name: 'Desktop notifications' }).getAttribute('aria-pressed')).toBe('true');
    const hidden = vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    stream.emit({ type: 'conversation.updated', data: { ...conv('a', { unreadCount: 3 }), visible: true } });
    stream.emit({ type: 'message.created', data: { conversationId: 'a', message: { id: 'm9', direction: 'in', kind: 'text', text: 'are you there?', createdAt: '2026-12-01T10:05:00.000Z', sender: { type: 'client' } } } });
    hidden.mockRestore();
    expect(shown).toEqual([{ title: 'Client a · Unassigned', body: 'are you there?' }]);
  });
});
