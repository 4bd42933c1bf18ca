import { randomUUID } from 'node:crypto';
import type { CallerIdentity, ConversationState } from '@relaydesk/contracts';
import { canSee, decideBlacklist, decideHandOver, decidePin, decideUnlock, decideUnpin, decideMove, decideOnClientMessage, mayUseAllTab } from './conversation-rules';

const sales = randomUUID();
const support = randomUUID();
const operator = (groupIds: string[], permissions: CallerIdentity['permissions'] = []): CallerIdentity => ({ operatorId: randomUUID(), role: 'operator', permissions, groupIds });
const superAdmin: CallerIdentity = { operatorId: randomUUID(), role: 'super_admin', permissions: [], groupIds: [sales] };
const unassigned = (groupId = sales): ConversationState => ({ status: 'unassigned', assigneeId: null, groupId });

describe('conversation rules', () => {
  it('D3: an operator in groups sees unassigned conversations of his groups only; one in no group sees all', () => {
    expect(canSee(operator([sales]), unassigned(sales))).toBe(true);
    expect(canSee(operator([sales]), unassigned(support))).toBe(false);
    expect(canSee(operator([]), unassigned(support))).toBe(true);
    expect(canSee(superAdmin, unassigned(support))).toBe(true);
  });

  it('D4: with view_all an operator in groups sees every conversation of his groups, and nothing else', () => {
    const viewer = operator([sales], ['conversations.view_all']);
    expect(canSee(viewer, { status: 'in_progress', assigneeId: randomUUID(), groupId: sales })).toBe(true);
    expect(canSee(viewer, { status: 'closed', assigneeId: randomUUID(), groupId: support })).toBe(false);
    expect(mayUseAllTab(viewer)).toBe(true);
    expect(mayUseAllTab(operator([sales]))).toBe(false);
    expect(mayUseAllTab(operator([], ['conversations.manage']))).toBe(true);
  });

  it('D34: a plain operator does not see a colleague’s conversation', () => {
    expect(canSee(operator([sales]), { status: 'in_progress', assigneeId: randomUUID(), groupId: sales })).toBe(false);
  });

  it('D7: take moves an unassigned conversation to the taker; taking a taken one is a conflict', () => {
    const ann = operator([sales]);
    const taken = decideMove('take', ann, unassigned());
    expect(taken).toEqual({ action: 'taken', to: { status: 'in_progress', assigneeId: ann.operatorId, groupId: sales } });
    expect(() => decideMove('take', operator([sales]), taken.to)).toThrow(expect.objectContaining({ code: 'conflict' }));
  });

  it('D8: only the holder closes or returns to Unassigned; others are refused with 403', () => {
    const ann = operator([sales]);
    const held: ConversationState = { status: 'in_progress', assigneeId: ann.operatorId, groupId: sales };
    expect(decideMove('close', ann, { ...held, clientId: 'kept out of the decision' } as ConversationState)).toEqual({ action: 'closed', to: { ...held, status: 'closed' } });
    expect(decideMove('unassign', ann, held)).toEqual({ action: 'unassigned', to: unassigned() });
    expect(() => decideMove('close', operator([sales]), held)).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(() => decideMove('close', ann, unassigned())).toThrow(expect.objectContaining({ code: 'conflict' }));
  });

  it('D9, D10: the closer keeps a closed conversation and may start it again as his own', () => {
    const ann = operator([sales]);
    const closed: ConversationState = { status: 'closed', assigneeId: ann.operatorId, groupId: sales };
    expect(canSee(ann, closed)).toBe(true);
    expect(canSee(operator([sales]), closed)).toBe(false);
    expect(decideMove('reopen', ann, closed)).toEqual({ action: 'reopened', to: { status: 'in_progress', assigneeId: ann.operatorId, groupId: sales } });
    expect(() => decideMove('reopen', operator([sales]), closed)).toThrow(expect.objectContaining({ code: 'forbidden' }));
  });

  it('D6: a client message creates or reopens into Unassigned of its group, and leaves an inbox alone', () => {
    expect(decideOnClientMessage(undefined, sales)).toEqual({ action: 'created', to: unassigned(sales) });
    expect(decideOnClientMessage({ status: 'closed', assigneeId: randomUUID(), groupId: support }, sales)).toEqual({ action: 'unassigned', to: unassigned(support) });
    expect(decideOnClientMessage({ status: 'in_progress', assigneeId: randomUUID(), groupId: sales }, sales)).toBeUndefined();
    expect(decideOnClientMessage(unassigned(), sales)).toBeUndefined();
  });

  it('D21: hand-over to an operator: anyone in scope from Unassigned; a held one by its holder or a manager', () => {
    const ann = operator([sales]);
    const ben = operator([sales]);
    expect(decideHandOver(ann, unassigned(), { operatorId: ben.operatorId })).toEqual({ action: 'assigned', to: { status: 'in_progress', assigneeId: ben.operatorId, groupId: sales } });
    const held: ConversationState = { status: 'in_progress', assigneeId: ben.operatorId, groupId: sales };
    expect(() => decideHandOver(ann, held, { operatorId: ann.operatorId })).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(decideHandOver(operator([sales], ['conversations.manage']), held, { operatorId: ann.operatorId }).to.assigneeId).toBe(ann.operatorId);
    expect(() => decideHandOver(superAdmin, { ...held, status: 'closed' }, { operatorId: ann.operatorId })).toThrow(expect.objectContaining({ code: 'conflict' }));
  });

  it('D22: hand-over to a group makes the conversation unassigned there', () => {
    const ann = operator([sales]);
    const held: ConversationState = { status: 'in_progress', assigneeId: ann.operatorId, groupId: sales };
    expect(decideHandOver(ann, held, { groupId: support })).toEqual({ action: 'group_changed', to: unassigned(support) });
  });

  it('D27: whoever can open a conversation blacklists; only the Blacklist tab permission unlocks', () => {
    const ann = operator([sales]);
    const held: ConversationState = { status: 'in_progress', assigneeId: ann.operatorId, groupId: sales };
    expect(decideBlacklist(ann, held, false)).toEqual({ action: 'blacklisted', to: held });
    expect(() => decideBlacklist(ann, held, true)).toThrow(expect.objectContaining({ code: 'conflict' }));
    expect(() => decideBlacklist(operator([support]), held, false)).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(() => decideUnlock(ann, held, true, 0)).toThrow(expect.objectContaining({ code: 'forbidden' }));
    const viewer = operator([sales], ['conversations.view_all']);
    expect(decideUnlock(viewer, held, true, 0)).toEqual({ action: 'unlocked', to: held });
    expect(decideUnlock(viewer, held, true, 2)).toEqual({ action: 'unlocked', to: unassigned(sales) });
  });

  it('D30: a pinned client’s closed conversation goes to the holder’s inbox, not to Unassigned', () => {
    const holder = randomUUID();
    expect(decideOnClientMessage({ status: 'closed', assigneeId: randomUUID(), groupId: sales }, sales, holder)).toEqual({ action: 'assigned', to: { status: 'in_progress', assigneeId: holder, groupId: sales } });
    expect(decideOnClientMessage({ status: 'in_progress', assigneeId: randomUUID(), groupId: sales }, sales, holder)).toBeUndefined();
  });

  it('D30, D31: pin to yourself once; detach your own, or any as super_admin', () => {
    const ann = operator([sales]);
    const conv = unassigned();
    expect(() => decidePin(ann, conv, null)).not.toThrow();
    expect(() => decidePin(ann, conv, ann.operatorId)).toThrow(expect.objectContaining({ code: 'conflict' }));
    expect(() => decidePin(ann, conv, randomUUID())).toThrow(expect.objectContaining({ code: 'conflict' }));
    expect(() => decideUnpin(ann, conv, randomUUID())).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(() => decideUnpin(superAdmin, conv, randomUUID())).not.toThrow();
    expect(() => decideUnpin(ann, conv, null)).toThrow(expect.objectContaining({ code: 'conflict' }));
    expect(() => decidePin(operator([support]), conv, null)).toThrow(expect.objectContaining({ code: 'not_found' }));
  });
});
