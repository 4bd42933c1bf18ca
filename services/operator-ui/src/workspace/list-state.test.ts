import { describe, expect, it } from 'vitest';
import type { ConversationItem } from '../api/types';
import type { StreamFrame } from '../live/stream';
import { belongsTo, initialState, reduce, tabTime, unreadIn, type ListState } from './list-state';
import { notificationOf } from './notifications';

const ME = 'op-me';
const OTHER = 'op-other';

let n = 0;
function item(over: Partial<ConversationItem> & { at?: string } = {}): ConversationItem {
  const { at = '2026-12-01T10:00:00.000Z', ...rest } = over;
  n += 1;
  return {
    id: `c${String(n).padStart(3, '0')}`,
    client: { id: `cl${n}`, name: `Client ${n}`, channel: 'webchat', blacklisted: false },
    pin: null,
    lastMessageByOperator: false,
    assignee: null,
    unreadCount: 0,
    group: { id: 'g1', name: 'Sales' },
    status: 'unassigned',
    listedAt: at,
    lastMessage: { text: 'hello', at, direction: 'in' },
    ...rest,
  };
}

const updated = (data: object): StreamFrame => ({ type: 'conversation.updated', data: { visible: true, ...data } });
const frame = (s: ListState, f: StreamFrame) => reduce(s, { type: 'frame', frame: f });

function loaded(tab: ListState['tab'], items: ConversationItem[], nextCursor: string | null = null): ListState {
  let s = reduce(initialState(ME), { type: 'open', tab, filters: {} });
  s = reduce(s, { type: 'page', generation: s.generation, page: { items, nextCursor }, append: false });
  return s;
}

const ids = (s: ListState) => s.items.map((i) => i.id);

describe('list-state reducer', () => {
  it('D11: a fresh page is kept in the tab’s order, newest first', () => {
    const a = item({ at: '2026-12-01T09:00:00.000Z' });
    const b = item({ at: '2026-12-01T11:00:00.000Z' });
    const s = loaded('unassigned', [a, b]);
    expect(ids(s)).toEqual([b.id, a.id]);
    expect(s.loading).toBe(false);
  });

  it('drops the answer of an earlier read (tab switched meanwhile)', () => {
    let s = reduce(initialState(ME), { type: 'open', tab: 'unassigned', filters: {} });
    const old = s.generation;
    s = reduce(s, { type: 'open', tab: 'mine', filters: {} });
    s = reduce(s, { type: 'page', generation: old, page: { items: [item()], nextCursor: null }, append: false });
    expect(s.items).toEqual([]);
    expect(s.loading).toBe('first');
  });

  it('conversation.updated inserts a new unassigned conversation at the top', () => {
    const a = item({ at: '2026-12-01T09:00:00.000Z' });
    const fresh = item({ at: '2026-12-01T12:00:00.000Z', unreadCount: 1 });
    const s = frame(loaded('unassigned', [a]), updated(fresh));
    expect(ids(s)).toEqual([fresh.id, a.id]);
    expect(s.items[0]!.unreadCount).toBe(1);
  });

  it('D7: visible:false removes the conversation at once (a colleague took it)', () => {
    const a = item();
    const b = item();
    const s = frame(loaded('unassigned', [a, b]), { type: 'conversation.updated', data: { id: a.id, visible: false } });
    expect(ids(s)).toEqual([b.id]);
  });

  it('D7: a conversation I take leaves Unassigned and enters My inbox', () => {
    const a = item();
    const taken = { ...a, status: 'in_progress' as const, assignee: { id: ME, name: 'Me' }, listedAt: '2026-12-01T13:00:00.000Z' };
    expect(ids(frame(loaded('unassigned', [a]), updated(taken)))).toEqual([]);
    expect(ids(frame(loaded('mine', []), updated(taken)))).toEqual([a.id]);
  });

  it('D9: My inbox and Closed hold only my conversations', () => {
    const someone = item({ status: 'in_progress', assignee: { id: OTHER, name: 'Boris' } });
    expect(ids(frame(loaded('mine', []), updated(someone)))).toEqual([]);
    const closedByOther = item({ status: 'closed', assignee: { id: OTHER, name: 'Boris' } });
    const closedByMe = item({ status: 'closed', assignee: { id: ME, name: 'Me' } });
    let s = loaded('closed', []);
    s = frame(s, updated(closedByOther));
    s = frame(s, updated(closedByMe));
    expect(ids(s)).toEqual([closedByMe.id]);
    // Reopened by a colleague after I closed it: it leaves my Closed tab.
    s = frame(s, updated({ ...closedByMe, status: 'in_progress', assignee: { id: OTHER, name: 'Boris' } }));
    expect(ids(s)).toEqual([]);
  });

  it('D27: a blacklisted client leaves Unassigned, My inbox, Closed and All, and shows on Blacklist', () => {
    const a = item();
    const black = { ...a, client: { ...a.client, blacklisted: true } };
    expect(ids(frame(loaded('unassigned', [a]), updated(black)))).toEqual([]);
    expect(ids(frame(loaded('all', [a]), updated(black)))).toEqual([]);
    const closed = { ...a, status: 'closed' as const, assignee: { id: ME, name: 'Me' } };
    expect(ids(frame(loaded('closed', [closed]), updated({ ...closed, client: black.client })))).toEqual([]);
    expect(ids(frame(loaded('blacklist', []), updated(black)))).toEqual([a.id]);
  });

  it('D11: My inbox moves a conversation with a new message to the top', () => {
    const a = item({ status: 'in_progress', assignee: { id: ME, name: 'Me' }, at: '2026-12-01T10:00:00.000Z' });
    const b = item({ status: 'in_progress', assignee: { id: ME, name: 'Me' }, at: '2026-12-01T11:00:00.000Z' });
    let s = loaded('mine', [a, b]);
    expect(ids(s)).toEqual([b.id, a.id]);
    s = frame(s, { type: 'message.created', data: { conversationId: a.id, message: { id: 'm1', direction: 'in', kind: 'text', text: 'again', createdAt: '2026-12-01T12:00:00.000Z', sender: { type: 'client' } } } });
    expect(ids(s)).toEqual([a.id, b.id]);
    expect(s.items[0]!.lastMessage).toEqual({ text: 'again', at: '2026-12-01T12:00:00.000Z', direction: 'in' });
  });

  it('D11: Unassigned keeps the time the status was set, not the last message’s', () => {
    const a = item({ at: '2026-12-01T10:00:00.000Z' });
    const b = item({ at: '2026-12-01T11:00:00.000Z' });
    let s = loaded('unassigned', [a, b]);
    s = frame(s, { type: 'message.created', data: { conversationId: a.id, message: { id: 'm1', direction: 'in', kind: 'text', text: 'later', createdAt: '2026-12-01T12:00:00.000Z', sender: { type: 'client' } } } });
    expect(ids(s)).toEqual([b.id, a.id]);
    expect(tabTime('unassigned', s.items[1]!)).toBe('2026-12-01T10:00:00.000Z');
    expect(s.items[1]!.lastMessage?.text).toBe('later');
  });

  it('D11: All sorts by the last message even when the item carries its status time', () => {
    const a = item({ status: 'unassigned', at: '2026-12-01T10:00:00.000Z' });
    const withOldStatus = { ...a, listedAt: '2026-11-01T00:00:00.000Z', lastMessage: { text: 'x', at: '2026-12-01T15:00:00.000Z', direction: 'in' as const } };
    const b = item({ status: 'in_progress', assignee: { id: OTHER, name: 'B' }, at: '2026-12-01T12:00:00.000Z' });
    const s = frame(loaded('all', [b]), updated(withOldStatus));
    expect(ids(s)).toEqual([a.id, b.id]);
  });

  it('a frame older than the loaded page is left for the next page (no duplicates, no gaps)', () => {
    const a = item({ at: '2026-12-01T10:00:00.000Z' });
    const old = item({ at: '2026-11-01T10:00:00.000Z' });
    let s = frame(loaded('unassigned', [a], 'cursor-1'), updated(old));
    expect(ids(s)).toEqual([a.id]);
    s = reduce(s, { type: 'loadMore' });
    expect(s.loading).toBe('more');
    s = reduce(s, { type: 'page', generation: s.generation, page: { items: [a, old], nextCursor: null }, append: true });
    expect(ids(s)).toEqual([a.id, old.id]);
  });

  it('D28: frames respect the filters of the tab', () => {
    let s = reduce(initialState(ME), { type: 'open', tab: 'all', filters: { groupId: 'g2', status: 'closed' } });
    s = reduce(s, { type: 'page', generation: s.generation, page: { items: [], nextCursor: null }, append: false });
    s = frame(s, updated(item({ group: { id: 'g1', name: 'Sales' }, status: 'closed', assignee: { id: ME, name: 'Me' } })));
    s = frame(s, updated(item({ group: { id: 'g2', name: 'Support' }, status: 'unassigned' })));
    expect(s.items).toEqual([]);
    const ok = item({ group: { id: 'g2', name: 'Support' }, status: 'closed', assignee: { id: OTHER, name: 'B' } });
    s = frame(s, updated(ok));
    expect(ids(s)).toEqual([ok.id]);
    expect(belongsTo('blacklist', { operatorId: OTHER }, ME, { ...ok, client: { ...ok.client, blacklisted: true } })).toBe(true);
    expect(belongsTo('blacklist', { operatorId: ME }, ME, { ...ok, client: { ...ok.client, blacklisted: true } })).toBe(false);
  });

  it('frames that arrive while the tab is read again are applied on top of the answer', () => {
    const a = item({ at: '2026-12-01T10:00:00.000Z' });
    const b = item({ at: '2026-12-01T11:00:00.000Z' });
    let s = reduce(loaded('unassigned', [a, b]), { type: 'refresh' });
    s = frame(s, { type: 'conversation.updated', data: { id: a.id, visible: false } });
    s = reduce(s, { type: 'page', generation: s.generation, page: { items: [a, b], nextCursor: null }, append: false });
    expect(ids(s)).toEqual([b.id]);
  });

  it('keeps names the frame lacks (the gateway names them, but a list must never lose them)', () => {
    const a = item({ status: 'in_progress', assignee: { id: ME, name: 'Me' }, group: { id: 'g1', name: 'Sales' } });
    const s = frame(loaded('mine', [a]), updated({ ...a, unreadCount: 2, assignee: { id: ME, name: null }, group: { id: 'g1', name: null } }));
    expect(s.items[0]!.assignee?.name).toBe('Me');
    expect(s.items[0]!.group.name).toBe('Sales');
    expect(s.items[0]!.unreadCount).toBe(2);
  });

  it('D14: the server\'s figure for a tab wins over what its loaded list holds', () => {
    const s = reduce(loaded('all', [item({ unreadCount: 1 })]), { type: 'counters', counters: { mine: 0, unread: { unassigned: 0, mine: 0, closed: 2, all: 7, blacklist: 1 } } });
    expect([unreadIn(s, 'all'), unreadIn(s, 'closed'), unreadIn(s, 'blacklist')]).toEqual([7, 2, 1]);
  });

  it('D14: counters come from GET, hello and counters.updated', () => {
    let s = reduce(initialState(ME), { type: 'counters', counters: { mine: 2, unread: { unassigned: 1, mine: 0 } } });
    expect(s.counters?.mine).toBe(2);
    s = frame(s, { type: 'hello', data: { operatorId: ME, counters: { mine: 3, unread: { unassigned: 4, mine: 1 } } } });
    expect(s.counters).toEqual({ mine: 3, unread: { unassigned: 4, mine: 1 } });
    s = frame(s, { type: 'counters.updated', data: { mine: 4, unread: { unassigned: 0, mine: 2 } } });
    expect(s.counters).toEqual({ mine: 4, unread: { unassigned: 0, mine: 2 } });
    expect(unreadIn(s, 'unassigned')).toBe(0);
    expect(unreadIn(s, 'mine')).toBe(2);
  });

  it('reload and the hello of a subscription the list was not read in ask for a fresh read; refresh keeps the list on screen meanwhile', () => {
    const a = item();
    let s = frame(loaded('unassigned', [a]), { type: 'reload', data: { reason: 'gap' } });
    expect(s.stale).toBe(true);
    s = reduce(s, { type: 'refresh' });
    expect(s.stale).toBe(false);
    expect(s.loading).toBe('first');
    expect(ids(s)).toEqual([a.id]);
    s = frame(s, { type: 'hello', data: { counters: { mine: 0, unread: { unassigned: 0, mine: 0 } } } });
    expect(s.stale).toBe(true);
  });

  it('a change of my groups or permissions asks for a fresh read of the tab', () => {
    const s = frame(loaded('unassigned', [item()]), { type: 'operator.updated', data: { id: 'me', groupIds: [] } });
    expect(s.stale).toBe(true);
  });

  it('the first read waits for the stream, and the hello of that subscription asks for no second read', () => {
    let s = initialState(ME);
    expect([s.loading, s.awaitingStream]).toEqual(['first', true]);
    s = reduce(s, { type: 'stream', status: 'connecting', epoch: 0 });
    expect(s.awaitingStream).toBe(true);
    s = reduce(s, { type: 'stream', status: 'online', epoch: 1 });
    expect(s.awaitingStream).toBe(false);
    s = reduce(s, { type: 'page', generation: s.generation, page: { items: [item()], nextCursor: null }, append: false });
    s = frame(s, { type: 'hello', data: { counters: { mine: 0, unread: { unassigned: 0, mine: 0 } } } });
    expect(s.stale).toBe(false);
  });

  it('a reconnect that resumes needs no fresh read; a new subscription does', () => {
    let s = reduce(initialState(ME), { type: 'stream', status: 'online', epoch: 1 });
    s = reduce(s, { type: 'page', generation: s.generation, page: { items: [item()], nextCursor: null }, append: false });
    s = reduce(s, { type: 'stream', status: 'offline', epoch: 1 });
    s = reduce(s, { type: 'stream', status: 'online', epoch: 1 });
    expect(frame(s, { type: 'hello', data: {} }).stale).toBe(false);
    s = reduce(s, { type: 'stream', status: 'online', epoch: 2 });
    expect(frame(s, { type: 'hello', data: {} }).stale).toBe(true);
  });

  it('a read that failed while the connection was down is made again when the stream is back', () => {
    let s = reduce(initialState(ME), { type: 'stream', status: 'online', epoch: 1 });
    s = reduce(s, { type: 'failed', generation: s.generation, message: 'The connection was lost; try again' });
    s = reduce(s, { type: 'stream', status: 'offline', epoch: 1 });
    s = reduce(s, { type: 'stream', status: 'online', epoch: 1 });
    expect(frame(s, { type: 'hello', data: {} }).stale).toBe(true);
  });

  it('a stream that fails to connect does not hold the list back; the list read meanwhile is read again on its hello', () => {
    let s = reduce(initialState(ME), { type: 'stream', status: 'offline', epoch: 0 });
    expect(s.awaitingStream).toBe(false);
    s = reduce(s, { type: 'page', generation: s.generation, page: { items: [item()], nextCursor: null }, append: false });
    s = reduce(s, { type: 'stream', status: 'online', epoch: 1 });
    expect(frame(s, { type: 'hello', data: {} }).stale).toBe(true);
  });

  it('presence.updated changes a colleague’s presence', () => {
    let s = reduce(initialState(ME), { type: 'presence', presence: { [OTHER]: 'online' } });
    s = frame(s, { type: 'presence.updated', data: { operatorId: OTHER, presence: 'away' } });
    expect(s.presence[OTHER]).toBe('away');
  });

  it('notifies only client messages of Unassigned or my inbox', () => {
    const msg = (id: string, direction: 'in' | 'out' = 'in'): StreamFrame => ({ type: 'message.created', data: { conversationId: id, message: { direction, kind: 'text', text: 'hi', sender: { type: 'client' } } } });
    const un = item();
    const mine = item({ status: 'in_progress', assignee: { id: ME, name: 'Me' } });
    const theirs = item({ status: 'in_progress', assignee: { id: OTHER, name: 'B' } });
    expect(notificationOf(msg(un.id), un, ME)?.title).toContain('Unassigned');
    expect(notificationOf(msg(mine.id), mine, ME)?.title).toContain('My inbox');
    expect(notificationOf(msg(theirs.id), theirs, ME)).toBeUndefined();
    expect(notificationOf(msg(mine.id, 'out'), mine, ME)).toBeUndefined();
  });
});
