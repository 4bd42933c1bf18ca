import type { ConversationItem, ConversationStatus, Counters, Page, Presence, StreamFrame, Tab } from '../api/types';

/**
 * The left side of the workspace as pure data: the open tab's list (as the server pages it, kept
 * up to date by the stream), the counters (#9, #10) and colleagues' presence. Every change goes
 * through `reduce`, so the stream's rules are unit tested without a browser.
 */

/** D28: group in every tab; status in All; operator in All and Blacklist. */
export type Filters = { groupId?: string; status?: ConversationStatus; operatorId?: string };

export type ListState = {
  meId: string;
  tab: Tab;
  filters: Filters;
  items: ConversationItem[];
  nextCursor: string | null;
  /** Grows with every fresh read of the tab, so late answers of an earlier one are dropped. */
  generation: number;
  /** `first`: the tab is being read from its start; `more`: the next page is being read. */
  loading: 'first' | 'more' | false;
  error?: string;
  /** Conversation frames that came while the tab was being read from its start, applied on top of the answer. */
  pending: StreamFrame[];
  /** Undefined until the server said them (GET, `hello`). */
  counters: Counters | undefined;
  presence: Record<string, Presence>;
  /** The stream asked for a fresh read (`reload`, or a `hello` of a subscription the list was not read in). */
  stale: boolean;
  /** The stream's epoch (LiveStream.epoch) while it is online; undefined while it is not. */
  streamEpoch: number | undefined;
  /** The epoch the list was read in: frames of that epoch keep it whole, so its `hello` needs no fresh read. */
  readEpoch: number | undefined;
  /** Until the stream first connects or fails, the first read waits, so that it is not read twice. */
  awaitingStream: boolean;
};

export type Action =
  | { type: 'open'; tab: Tab; filters: Filters }
  | { type: 'refresh' }
  | { type: 'loadMore' }
  | { type: 'page'; generation: number; page: Page<ConversationItem>; append: boolean }
  | { type: 'failed'; generation: number; message: string }
  | { type: 'counters'; counters: Counters }
  | { type: 'presence'; presence: Record<string, Presence> }
  | { type: 'stream'; status: 'connecting' | 'online' | 'offline'; epoch: number }
  | { type: 'frame'; frame: StreamFrame };

export function initialState(meId: string, tab: Tab = 'unassigned'): ListState {
  return { meId, tab, filters: {}, items: [], nextCursor: null, generation: 1, loading: 'first', pending: [], counters: undefined, presence: {}, stale: false, streamEpoch: undefined, readEpoch: undefined, awaitingStream: true };
}

/** D11: the time a tab shows and sorts by. Items carry the time of their status; All and Blacklist list the last message's. */
export function tabTime(tab: Tab, item: ConversationItem): string {
  if (tab === 'all' || tab === 'blacklist') return item.lastMessage?.at ?? item.listedAt;
  return item.listedAt;
}

/** Newest first, then by id descending: the server's order (ORDER BY time DESC, id DESC). */
function compareIn(tab: Tab): (a: ConversationItem, b: ConversationItem) => number {
  return (a, b) => {
    const ta = Date.parse(tabTime(tab, a));
    const tb = Date.parse(tabTime(tab, b));
    if (ta !== tb) return tb - ta;
    return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
  };
}

/** Whether a conversation (as the server says it is now) belongs in this tab with these filters (D9, D27, D28). */
export function belongsTo(tab: Tab, filters: Filters, meId: string, item: ConversationItem): boolean {
  const blacklisted = item.client.blacklisted;
  const assigneeId = item.assignee?.id;
  let inTab: boolean;
  switch (tab) {
    case 'unassigned':
      inTab = item.status === 'unassigned' && !blacklisted;
      break;
    case 'mine':
      inTab = item.status === 'in_progress' && assigneeId === meId && !blacklisted;
      break;
    case 'closed':
      inTab = item.status === 'closed' && assigneeId === meId && !blacklisted;
      break;
    case 'all':
      inTab = !blacklisted;
      break;
    case 'blacklist':
      inTab = blacklisted;
      break;
  }
  if (!inTab) return false;
  if (filters.groupId && item.group.id !== filters.groupId) return false;
  if (filters.status && item.status !== filters.status) return false;
  if (filters.operatorId && assigneeId !== filters.operatorId) return false;
  return true;
}

/** The first of the caller's tabs a conversation belongs in, unfiltered; undefined when none lists it. */
export function homeTab(tabs: Tab[], meId: string, item: ConversationItem): Tab | undefined {
  return tabs.find((tab) => belongsTo(tab, {}, meId, item));
}

/** Puts an item where the tab's order wants it (replacing its earlier self), or takes it out. */
function place(state: ListState, item: ConversationItem): ListState {
  const without = state.items.filter((i) => i.id !== item.id);
  const had = without.length !== state.items.length;
  if (!belongsTo(state.tab, state.filters, state.meId, item)) return had ? { ...state, items: without } : state;
  const compare = compareIn(state.tab);
  const last = without[without.length - 1];
  // Older than what is loaded while more pages remain: the next page brings it, in its place.
  if (!had && state.nextCursor !== null && last && compare(item, last) > 0) return state;
  let at = without.findIndex((i) => compare(item, i) < 0);
  if (at < 0) at = without.length;
  // A frame of the same conversation keeps what the list knew and the frame does not say (names, pin label).
  const previous = state.items.find((i) => i.id === item.id);
  const merged = previous ? mergeItem(previous, item) : item;
  return { ...state, items: [...without.slice(0, at), merged, ...without.slice(at)] };
}

function mergeItem(previous: ConversationItem, next: ConversationItem): ConversationItem {
  return {
    ...previous,
    ...next,
    assignee: next.assignee && { ...next.assignee, name: next.assignee.name ?? (previous.assignee?.id === next.assignee.id ? previous.assignee.name : null) },
    group: { ...next.group, name: next.group.name ?? (previous.group.id === next.group.id ? previous.group.name : null) },
  };
}

function remove(state: ListState, id: string): ListState {
  const items = state.items.filter((i) => i.id !== id);
  return items.length === state.items.length ? state : { ...state, items };
}

type MessageFrame = { conversationId: string; message: { direction: 'in' | 'out'; kind: string; text: string | null; createdAt: string } };

/** `message.created`: the item shows it as its last message (the `conversation.updated` beside it carries the counts). */
function bump(state: ListState, data: MessageFrame): ListState {
  const { message } = data;
  if (message.kind === 'note' || message.kind === 'event') return state;
  const item = state.items.find((i) => i.id === data.conversationId);
  if (!item) return state;
  if (item.lastMessage && Date.parse(item.lastMessage.at) > Date.parse(message.createdAt)) return state;
  const lastMessage = { text: message.text, at: message.createdAt, direction: message.direction };
  const moved: ConversationItem = {
    ...item,
    lastMessage,
    lastMessageByOperator: message.direction === 'out',
    // My inbox lists the time of the last message (D11).
    listedAt: item.status === 'in_progress' ? message.createdAt : item.listedAt,
  };
  return place(state, moved);
}

function applyFrame(state: ListState, frame: StreamFrame): ListState {
  switch (frame.type) {
    case 'conversation.updated': {
      const data = frame.data as (ConversationItem & { visible?: boolean }) | { id: string; visible: false };
      if (data.visible === false) return remove(state, data.id);
      const { visible: _visible, ...item } = data as ConversationItem & { visible?: boolean };
      return place(state, item);
    }
    case 'message.created':
      return bump(state, frame.data as MessageFrame);
    default:
      return state;
  }
}

const isConversationFrame = (frame: StreamFrame) => frame.type === 'conversation.updated' || frame.type === 'message.created';

function withCounters(state: ListState, counters: Counters | undefined): ListState {
  if (!counters || typeof counters.mine !== 'number') return state;
  return { ...state, counters: { mine: counters.mine, unread: { ...counters.unread } } };
}

export function reduce(state: ListState, action: Action): ListState {
  switch (action.type) {
    case 'open':
      return { ...state, tab: action.tab, filters: action.filters, items: [], nextCursor: null, generation: state.generation + 1, loading: 'first', error: undefined, pending: [], stale: false, readEpoch: state.streamEpoch };
    case 'refresh':
      // Keeps the items on screen while the fresh read is on its way.
      return { ...state, generation: state.generation + 1, loading: 'first', error: undefined, pending: [], stale: false, readEpoch: state.streamEpoch };
    case 'stream': {
      const streamEpoch = action.status === 'online' ? action.epoch : undefined;
      if (!state.awaitingStream) return { ...state, streamEpoch };
      if (action.status === 'connecting') return state;
      // The first read starts now.
      return { ...state, streamEpoch, readEpoch: streamEpoch, awaitingStream: false };
    }
    case 'loadMore':
      if (state.loading || state.nextCursor === null) return state;
      return { ...state, loading: 'more' };
    case 'page': {
      if (action.generation !== state.generation) return state;
      if (!action.append) {
        let next: ListState = { ...state, items: [...action.page.items].sort(compareIn(state.tab)), nextCursor: action.page.nextCursor, loading: false, pending: [] };
        for (const frame of state.pending) next = applyFrame(next, frame);
        return next;
      }
      const known = new Set(state.items.map((i) => i.id));
      const fresh = action.page.items.filter((i) => !known.has(i.id));
      return { ...state, items: [...state.items, ...fresh], nextCursor: action.page.nextCursor, loading: false };
    }
    case 'failed':
      if (action.generation !== state.generation) return state;
      return { ...state, loading: false, error: action.message };
    case 'counters':
      return withCounters(state, action.counters);
    case 'presence':
      return { ...state, presence: { ...state.presence, ...action.presence } };
    case 'frame': {
      const { frame } = action;
      switch (frame.type) {
        case 'hello': {
          const data = frame.data as { counters?: Counters } | undefined;
          const next = withCounters(state, data?.counters);
          // A subscription the list was not read in may have missed changes, and a read that failed
          // (the connection was down) has nothing: either way the list is read again.
          return next.streamEpoch !== undefined && next.readEpoch === next.streamEpoch && !next.error ? next : { ...next, stale: true };
        }
        case 'reload':
        case 'operator.updated':
          return { ...state, stale: true };
        case 'counters.updated':
          return withCounters(state, frame.data as Counters);
        case 'presence.updated': {
          const data = frame.data as { operatorId: string; presence: Presence };
          return { ...state, presence: { ...state.presence, [data.operatorId]: data.presence } };
        }
        default:
          if (!isConversationFrame(frame)) return state;
          if (state.loading === 'first') {
            const applied = applyFrame(state, frame);
            return { ...applied, pending: [...state.pending, frame] };
          }
          return applyFrame(state, frame);
      }
    }
  }
}

/** #10: whether a tab holds conversations with unread client messages, as far as this client knows. */
export function unreadIn(state: Pick<ListState, 'counters' | 'tab' | 'items'>, tab: Tab): number {
  const fromCounters = state.counters?.unread[tab];
  if (typeof fromCounters === 'number') return fromCounters;
  // Until the server has said its figures, the open tab knows what its loaded list holds.
  return state.tab === tab ? state.items.filter((i) => i.unreadCount > 0).length : 0;
}
