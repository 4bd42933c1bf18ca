import type { CallerIdentity, ConversationChanged, ConversationState } from '@relaydesk/contracts';
import type { LiveEntry } from '@relaydesk/live';
import { framesFor, type NamedEntry, type Viewer } from './live-audience';

const [A, B] = ['aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000002'];
const [ann, ben, root] = ['bbbbbbbb-0000-4000-8000-000000000001', 'bbbbbbbb-0000-4000-8000-000000000002', 'bbbbbbbb-0000-4000-8000-000000000003'];
const conversationId = 'cccccccc-0000-4000-8000-000000000001';

const caller = (operatorId: string, groupIds: string[], extra: Partial<CallerIdentity> = {}): CallerIdentity => ({ operatorId, role: 'operator', permissions: [], groupIds, ...extra });
const viewer = (c: CallerIdentity): Viewer => ({ caller: c, sets: new Map(), countsAsOf: '0-0' });

function change(over: { status?: 'unassigned' | 'in_progress' | 'closed'; assignee?: string | null; group?: string; blacklisted?: boolean; pinnedTo?: string }, previous: ConversationState | null = null, counts: Record<string, number> = {}) {
  const item: ConversationChanged['item'] = {
    id: conversationId,
    client: { id: 'dddddddd-0000-4000-8000-000000000001', name: 'Dora', channel: 'api', blacklisted: over.blacklisted ?? false },
    pin: over.pinnedTo ? { operatorId: over.pinnedTo } : null,
    lastMessageByOperator: false,
    assignee: over.assignee ? { id: over.assignee } : null,
    unreadCount: 1,
    group: { id: over.group ?? A },
    status: over.status ?? 'unassigned',
    listedAt: '2026-11-25T10:00:00.000Z',
    lastMessage: null,
  };
  const message = { id: 'eeeeeeee-0000-4000-8000-000000000001', direction: 'in' as const, kind: 'text' as const, text: 'hi', sender: { type: 'client' as const }, createdAt: item.listedAt };
  const entry: LiveEntry = { id: '1700000000000-0', kind: 'change', change: { version: 2, item, messages: [message] }, previous, counts };
  return over.pinnedTo ? { ...entry, item: { ...item, pin: { operator: { id: over.pinnedTo, name: 'Ann' }, label: '' } } } : entry;
}

const types = (v: Viewer, e: NamedEntry) => framesFor(v, e).map((f) => f.type);

describe('live audience', () => {
  it('D3: an unassigned conversation goes to the operators of its group, not to others', () => {
    const entry = change({});
    expect(types(viewer(caller(ann, [A])), entry)).toEqual(['conversation.updated', 'message.created']);
    expect(types(viewer(caller(ben, [B])), entry)).toEqual([]);
    expect(types(viewer(caller(root, [], { role: 'super_admin' })), entry)).toEqual(['conversation.updated', 'message.created']);
  });

  it('D7: a conversation taken by another leaves the others\' sight as visible: false, without its content', () => {
    const entry = change({ status: 'in_progress', assignee: ann }, { status: 'unassigned', assigneeId: null, groupId: A });
    const frames = framesFor(viewer(caller(ben, [A])), entry);
    expect(frames.map((f) => f.data)).toEqual([{ id: conversationId, visible: false }]);
    expect(types(viewer(caller(ann, [A])), entry)).toEqual(['conversation.updated', 'message.created']);
  });

  it('D7: the hidden frame says who moved the conversation, so a pane tells a colleague\'s take from its own move\'s echo', () => {
    const base = change({ status: 'in_progress', assignee: ann }, { status: 'unassigned', assigneeId: null, groupId: A });
    const entry = { ...base, change: { ...base.change, actorId: ann }, by: { id: ann, name: 'Ann' } };
    expect(framesFor(viewer(caller(ben, [A])), entry).map((f) => f.data)).toEqual([{ id: conversationId, visible: false, by: { id: ann, name: 'Ann' } }]);
    const unnamed = { ...base, change: { ...base.change, actorId: ann } };
    expect(framesFor(viewer(caller(ben, [A])), unnamed).map((f) => f.data)).toEqual([{ id: conversationId, visible: false, by: { id: ann } }]);
  });

  it('D21: an operator sees the presence of his groups\' people only; a super_admin and one in no group see everyone\'s', () => {
    const entry: NamedEntry = { id: '1700000000000-1', kind: 'presence', operatorId: ben, presence: 'online', groupIds: [B] };
    expect(types(viewer(caller(ann, [A])), entry)).toEqual([]);
    expect(types(viewer(caller(ann, [A, B])), entry)).toEqual(['presence.updated']);
    expect(types(viewer(caller(root, [], { role: 'super_admin' })), entry)).toEqual(['presence.updated']);
    expect(types(viewer(caller(ann, [])), entry)).toEqual(['presence.updated']);
    expect(types(viewer(caller(ben, [])), { ...entry, groupIds: [] })).toEqual(['presence.updated']);
  });

  it('D4: an operator with view_all sees every conversation of his groups', () => {
    const entry = change({ status: 'in_progress', assignee: ann });
    expect(types(viewer(caller(ben, [A], { permissions: ['conversations.view_all'] })), entry)).toEqual(['conversation.updated', 'message.created']);
  });

  it('D27: a blacklisted client\'s conversation goes only to those with the Blacklist tab; who saw it before hears why it went', () => {
    const entry = change({ blacklisted: true });
    expect(types(viewer(caller(ann, [A])), entry)).toEqual([]);
    const sent = change({ blacklisted: true }, { status: 'unassigned', assigneeId: null, groupId: A });
    expect(framesFor(viewer(caller(ann, [A])), sent).map((f) => f.data)).toEqual([{ id: conversationId, visible: false, reason: 'blacklisted' }]);
    const elsewhere = change({ blacklisted: true, group: B }, { status: 'unassigned', assigneeId: null, groupId: A });
    expect(framesFor(viewer(caller(ann, [A])), elsewhere).map((f) => f.data)).toEqual([{ id: conversationId, visible: false }]);
    expect(types(viewer(caller(ben, [A], { permissions: ['conversations.view_all'] })), entry)).toContain('conversation.updated');
  });

  it('D32: each viewer reads his own pin label, and viewers alike share one frame object', () => {
    const entry = change({ pinnedTo: ann });
    const label = (c: CallerIdentity) => (framesFor(viewer(c), entry)[0]!.data as { pin: { label: string } }).pin.label;
    expect(label(caller(ann, [A]))).toBe('Detach');
    expect(label(caller(ben, [A]))).toBe('Pinned (Ann)');
    expect(label(caller(root, [], { role: 'super_admin' }))).toBe('Detach (assigned to Ann)');
    expect(framesFor(viewer(caller(ben, [A])), entry)[0]).toBe(framesFor(viewer(caller('bbbbbbbb-0000-4000-8000-000000000009', [A])), entry)[0]);
  });

  it('D14: counters go to the viewer whose sets changed, once, and not for a snapshot newer than the entry', () => {
    const entry = change({}, null, { [`unassigned_unread:${A}`]: 3 });
    const fresh = viewer(caller(ann, [A]));
    expect(framesFor(fresh, entry).find((f) => f.type === 'counters.updated')?.data).toEqual({ mine: 0, unread: { mine: 0, unassigned: 3, closed: 0 } });
    expect(framesFor(fresh, entry).find((f) => f.type === 'counters.updated')).toBeUndefined();
    const later = { ...viewer(caller(ann, [A])), countsAsOf: '1800000000000-0' };
    expect(framesFor(later, entry).find((f) => f.type === 'counters.updated')).toBeUndefined();
    expect(framesFor(viewer(caller(ben, [B])), entry).find((f) => f.type === 'counters.updated')).toBeUndefined();
  });

  it('D14: the All and Blacklist tabs count for whom D1 opens them, within his groups; Closed for its closer', () => {
    const entry = change({ status: 'closed', assignee: ann }, null, { [`all_unread:${A}`]: 2, [`blacklist_unread:${A}`]: 1, [`closed_unread:${ann}`]: 1, [`all_unread:${B}`]: 5 });
    const counters = (v: Viewer) => framesFor(v, entry).find((f) => f.type === 'counters.updated')?.data;
    expect(counters(viewer(caller(ann, [A])))).toEqual({ mine: 0, unread: { mine: 0, unassigned: 0, closed: 1 } });
    expect(counters(viewer(caller(ben, [A], { permissions: ['conversations.view_all'] })))).toEqual({ mine: 0, unread: { mine: 0, unassigned: 0, closed: 0, all: 2, blacklist: 1 } });
    expect(counters(viewer(caller(root, [], { role: 'super_admin' })))).toEqual({ mine: 0, unread: { mine: 0, unassigned: 0, closed: 0, all: 7, blacklist: 1 } });
    expect(counters(viewer(caller(ben, [B])))).toBeUndefined();
  });
});
