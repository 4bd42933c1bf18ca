import { describe, expect, it } from 'vitest';
import { describeLogEntry, type LogEntry } from './log-entry';

const ann = { id: 'op-ann', name: 'Ann' };
const state = (status: string, assigneeId: string | null, groupId = 'g-sales') => ({ status, assigneeId, groupId });
const entry = (action: string, actor: LogEntry['actor'], to: LogEntry['to'], from: LogEntry['from'] = null): LogEntry => ({
  action,
  actor,
  from,
  to,
  at: '2026-12-07T10:00:00.000Z',
  names: { 'op-ann': 'Ann', 'op-ben': 'Ben', 'g-sales': 'Sales', 'g-support': 'Support' },
});

describe('describeLogEntry', () => {
  it('D12: says who moved the conversation where, with names, for every kind of movement', () => {
    expect(
      [
        entry('created', null, state('unassigned', null)),
        entry('created', ann, state('in_progress', 'op-ann')),
        entry('taken', ann, state('in_progress', 'op-ann'), state('unassigned', null)),
        entry('assigned', ann, state('in_progress', 'op-ben')),
        entry('assigned', null, state('in_progress', 'op-ben')),
        entry('group_changed', ann, state('unassigned', null, 'g-support'), state('in_progress', 'op-ann')),
        entry('unassigned', ann, state('unassigned', null)),
        entry('unassigned', null, state('unassigned', null)),
        entry('closed', ann, state('closed', 'op-ann')),
        entry('reopened', ann, state('in_progress', 'op-ann')),
        entry('blacklisted', ann, state('closed', 'op-ann')),
        entry('unlocked', { id: 'op-x', name: null }, state('unassigned', null)),
        entry('pinned', ann, { pinnedOperatorId: 'op-ben' }, { pinnedOperatorId: null }),
        entry('unpinned', ann, { pinnedOperatorId: null }, { pinnedOperatorId: 'op-ben' }),
        entry('renamed', ann, { name: 'Rex (VIP) 🦖' }, { name: 'rex' }),
      ].map(describeLogEntry),
    ).toEqual([
      'The client wrote; waiting in Unassigned, group Sales',
      'Ann wrote to the client first (outgoing), group Sales',
      'Ann took it',
      'Ann assigned it to Ben',
      "The client wrote again; straight to Ben's inbox (pinned client)",
      'Ann moved it from group Sales to group Support',
      'Ann returned it to Unassigned',
      'The client wrote again; back to Unassigned',
      'Ann closed it',
      'Ann started it again',
      'Ann sent the client to the black list',
      'An operator unlocked it',
      'Ann pinned the client to Ben',
      'Ann detached the client',
      'Ann renamed the client from “rex” to “Rex (VIP) 🦖”',
    ]);
  });

  it('an id the gateway could not name, and an action it does not know, still read', () => {
    expect(describeLogEntry({ ...entry('assigned', ann, state('in_progress', 'op-gone')), names: {} })).toBe('Ann assigned it to an operator');
    expect(describeLogEntry(entry('archived', ann, state('closed', null)))).toBe('Ann: archived');
  });
});
