import { isDeepStrictEqual } from 'node:util';
import { canSee, hasAllTab, type CallerIdentity, type ConversationState } from '@relaydesk/contracts';
import { countersOf, countsFor, isAfter, type Counters, type LiveEntry } from '@relaydesk/live';
import { mayAssignTo } from './may-assign-to';
import { pinLabel } from './pin-label';

/** What the stream sends (API.md "Real time"); `id` is the resume point of frames from the stream. */
export type Frame = { type: string; id?: string; data: unknown };

type NamedPin = { operator: { id: string; name: string }; label: string } | null;
/** A change whose ids the gateway has named once for every socket. */
export type NamedEntry = LiveEntry & { item?: { pin?: NamedPin; [k: string]: unknown }; messages?: unknown[]; by?: { id: string; name: string | null }; groupIds?: string[] };

/** One connected operator: who he is and the counter sets his figures add up (D14). */
export type Viewer = { caller: CallerIdentity; sets: Map<string, number>; countsAsOf: string };

const stateOf = (item: { status: ConversationState['status']; assignee: { id: string } | null; group: { id: string } }): ConversationState => ({
  status: item.status,
  assigneeId: item.assignee?.id ?? null,
  groupId: item.group.id,
});

/** D3, D4, D9, D27: who may see a conversation go by; a blacklisted client's only on the Blacklist tab. */
const sees = (caller: CallerIdentity, state: ConversationState, blacklisted: boolean): boolean => canSee(caller, state) && (!blacklisted || hasAllTab(caller));

/**
 * The frames one viewer gets for an entry of the live stream: only what he may see. A conversation
 * that leaves his sight (taken by another, moved to another group) goes as `visible: false`, so
 * his lists drop it at once without learning where it went; `by` names the operator who moved it,
 * so his own move's echo is told from a colleague's.
 */
export function framesFor(viewer: Viewer, entry: NamedEntry): Frame[] {
  const { caller } = viewer;
  const once = (key: string, make: () => Frame) => shared(entry, key, make);
  switch (entry.kind) {
    case 'reload':
      return [once('reload', () => ({ type: 'reload', id: entry.id, data: { reason: entry.reason } }))];
    case 'operator':
      // The stream re-reads that operator for his own sockets before any frame of the batch (OperatorStream).
      return [];
    case 'presence':
      // Whose presence an operator sees is whom GET /operators lists for him (D21).
      if (entry.operatorId !== caller.operatorId && !mayAssignTo(caller, { groupIds: entry.groupIds ?? [] })) return [];
      return [once('presence', () => ({ type: 'presence.updated', id: entry.id, data: { operatorId: entry.operatorId, presence: entry.presence } }))];
    case 'change': {
      const { item } = entry.change;
      const frames: Frame[] = [];
      if (sees(caller, stateOf(item), item.client.blacklisted)) {
        const named = entry.item ?? item;
        const label = named.pin && 'operator' in named.pin ? pinLabel(caller, named.pin.operator) : undefined;
        frames.push(once(`item:${label ?? ''}`, () => ({ type: 'conversation.updated', id: entry.id, data: { ...named, pin: label && named.pin ? { ...named.pin, label } : named.pin, visible: true } })));
        (entry.messages ?? entry.change.messages).forEach((message, i) => {
          frames.push(once(`message:${i}`, () => ({ type: 'message.created', id: entry.id, data: { conversationId: item.id, message } })));
        });
        (entry.change.deliveries ?? []).forEach((d, i) => {
          frames.push(once(`delivery:${i}`, () => ({ type: 'message.updated', id: entry.id, data: { conversationId: item.id, messageId: d.messageId, deliveryStatus: d.status, deliveryError: d.error, at: d.at } })));
        });
      } else if (entry.previous && canSee(caller, entry.previous)) {
        const by = entry.by ?? (entry.change.actorId ? { id: entry.change.actorId } : undefined);
        // Still his to see but for the black list (D27): his screen can say so, not just "moved".
        const blacklisted = item.client.blacklisted && canSee(caller, stateOf(item));
        frames.push(
          once(blacklisted ? 'hidden:blacklisted' : 'hidden', () => ({ type: 'conversation.updated', id: entry.id, data: { id: item.id, visible: false, ...(by ? { by } : {}), ...(blacklisted ? { reason: 'blacklisted' } : {}) } })),
        );
      }
      const counters = countersAfter(viewer, entry);
      if (counters) frames.push({ type: 'counters.updated', id: entry.id, data: counters });
      return frames;
    }
  }
}

const sharedFrames = new WeakMap<NamedEntry, Map<string, Frame>>();

/** Viewers who see an entry alike get the same frame object, so it is serialised once for all. */
function shared(entry: NamedEntry, key: string, make: () => Frame): Frame {
  let frames = sharedFrames.get(entry);
  if (!frames) sharedFrames.set(entry, (frames = new Map<string, Frame>()));
  let frame = frames.get(key);
  if (!frame) frames.set(key, (frame = make()));
  return frame;
}

/** Takes the entry's new set sizes that concern the viewer; answers his figures when one changed. */
function countersAfter(viewer: Viewer, entry: Extract<LiveEntry, { kind: 'change' }>): Counters | undefined {
  if (!isAfter(entry.id, viewer.countsAsOf)) return undefined;
  viewer.countsAsOf = entry.id;
  const changed = Object.entries(entry.counts).filter(([name]) => countsFor(viewer.caller, name));
  if (changed.length === 0) return undefined;
  const before = countersOf(viewer.caller, viewer.sets);
  for (const [name, size] of changed) viewer.sets.set(name, size);
  const after = countersOf(viewer.caller, viewer.sets);
  return isDeepStrictEqual(after, before) ? undefined : after;
}
