import { useCallback, useEffect, useMemo, useReducer, useRef, useState, type KeyboardEvent } from 'react';
import { ApiError } from '../api/client';
import type { ConversationItem, ConversationStatus, Counters, OperatorSummary, Page, Presence, Tab } from '../api/types';
import { ConversationPane } from '../conversation/ConversationPane';
import { OutgoingDialog, outgoingEnabled } from '../pages/OutgoingDialog';
import type { StreamFrame } from '../live/stream';
import { hasAllTab, useSession, useStreamFrames } from '../session';
import { ConversationList } from './ConversationList';
import { STATUS_LABEL } from './format';
import { initialState, reduce, unreadIn, type Filters } from './list-state';
import { isMuted, notificationOf, notifyPermission, setMuted, type NotifyPermission } from './notifications';
import { focusFirstHit, SearchResults } from './SearchResults';
import './workspace.css';

const TAB_LABEL: Record<Tab, string> = { unassigned: 'Unassigned', mine: 'My inbox', closed: 'Closed', all: 'All', blacklist: 'Blacklist' };
const PAGE_SIZE = 50;
const FRAMES = ['hello', 'reload', 'conversation.updated', 'message.created', 'counters.updated', 'presence.updated'];

const query = (tab: Tab, filters: Filters, cursor?: string | null): string => {
  const params = new URLSearchParams({ tab, limit: String(PAGE_SIZE) });
  if (filters.groupId) params.set('groupId', filters.groupId);
  if (tab === 'all' && filters.status) params.set('status', filters.status);
  if ((tab === 'all' || tab === 'blacklist') && filters.operatorId) params.set('operatorId', filters.operatorId);
  if (cursor) params.set('cursor', cursor);
  return `/conversations?${params}`;
};

/**
 * Tabs, filters, search and the conversation list on the left; the open conversation beside them.
 * `openFirst`: a conversation to open at once (from the analytics page's messages).
 */
export function Workspace({ openFirst }: { openFirst?: string } = {}) {
  const session = useSession();
  const { me, api, groups } = session;
  const [writingOutgoing, setWritingOutgoing] = useState(false);
  const tabs: Tab[] = hasAllTab(me) ? ['unassigned', 'mine', 'closed', 'all', 'blacklist'] : ['unassigned', 'mine', 'closed'];
  const [state, dispatch] = useReducer(reduce, me.id, (id) => initialState(id));
  const [filtersByTab, setFiltersByTab] = useState<Partial<Record<Tab, Filters>>>({});
  const [openId, setOpenId] = useState<string | undefined>(openFirst);
  const [operators, setOperators] = useState<OperatorSummary[]>([]);
  const [search, setSearch] = useState('');
  /** The newest state of every conversation the stream or a list told about, for notifications. */
  const known = useRef(new Map<string, ConversationItem>());
  const listWrap = useRef<HTMLDivElement>(null);

  const { tab, filters, generation, loading, nextCursor, awaitingStream } = state;

  useEffect(() => {
    const { stream } = session;
    const follow = () => dispatch({ type: 'stream', status: stream.status, epoch: stream.epoch });
    follow();
    return stream.onStatus(follow);
  }, [session.stream]);

  // The first page of the tab, whenever the tab, its filters or a `reload` ask for a fresh read.
  useEffect(() => {
    if (loading !== 'first' || awaitingStream) return;
    let cancelled = false;
    api
      .get<Page<ConversationItem>>(query(tab, filters))
      .then((page) => !cancelled && dispatch({ type: 'page', generation, page, append: false }))
      .catch((e: unknown) => !cancelled && dispatch({ type: 'failed', generation, message: e instanceof ApiError ? e.message : 'Could not load the conversations' }));
    return () => {
      cancelled = true;
    };
  }, [api, generation, loading === 'first', awaitingStream]); // generation grows with every fresh read; tab and filters change with it

  // The next page as the operator scrolls.
  useEffect(() => {
    if (loading !== 'more' || !nextCursor) return;
    api
      .get<Page<ConversationItem>>(query(tab, filters, nextCursor))
      .then((page) => dispatch({ type: 'page', generation, page, append: true }))
      .catch((e: unknown) => dispatch({ type: 'failed', generation, message: e instanceof ApiError ? e.message : 'Could not load more conversations' }));
  }, [api, loading === 'more']);

  const loadCounters = useCallback(() => {
    api
      .get<Counters>('/conversations/counters')
      .then((counters) => dispatch({ type: 'counters', counters }))
      .catch(() => undefined);
  }, [api]);

  const loadOperators = useCallback(() => {
    api
      .get<{ items: OperatorSummary[] }>('/operators')
      .then((answer) => {
        setOperators(answer.items);
        const presence: Record<string, Presence> = {};
        for (const o of answer.items) if (o.presence) presence[o.id] = o.presence;
        dispatch({ type: 'presence', presence });
      })
      .catch(() => undefined);
  }, [api]);

  // Counters and colleagues (with presence) at start.
  useEffect(() => {
    loadCounters();
    loadOperators();
  }, [loadCounters, loadOperators]);

  // `reload`, or a reconnect: read the tab, the counters and presence again.
  useEffect(() => {
    if (!state.stale) return;
    dispatch({ type: 'refresh' });
    loadCounters();
    loadOperators();
  }, [state.stale, loadCounters, loadOperators]);

  useEffect(() => {
    for (const item of state.items) if (!known.current.has(item.id)) known.current.set(item.id, item);
  }, [state.items]);

  const onFrame = useCallback(
    (frame: StreamFrame) => {
      if (frame.type === 'conversation.updated') {
        const data = frame.data as ConversationItem & { visible?: boolean };
        if (data.visible === false) known.current.delete(data.id);
        else known.current.set(data.id, data);
      }
      dispatch({ type: 'frame', frame });
      if (frame.type === 'message.created' && document.visibilityState === 'hidden' && notifyPermission() === 'granted' && !isMuted()) {
        const note = notificationOf(frame, known.current.get((frame.data as { conversationId: string }).conversationId), me.id);
        if (note) {
          const shown = new Notification(note.title, { body: note.body, tag: note.conversationId });
          shown.onclick = () => {
            window.focus();
            setOpenId(note.conversationId);
            shown.close();
          };
        }
      }
    },
    [me.id],
  );
  useStreamFrames(FRAMES, onFrame);

  const openTab = (next: Tab) => {
    if (next === tab) return;
    dispatch({ type: 'open', tab: next, filters: filtersByTab[next] ?? {} });
  };

  const changeFilter = (patch: Filters) => {
    const next = { ...filters, ...patch };
    for (const key of Object.keys(next) as (keyof Filters)[]) if (!next[key]) delete next[key];
    setFiltersByTab((all) => ({ ...all, [tab]: next }));
    dispatch({ type: 'open', tab, filters: next });
  };

  const open = (item: ConversationItem) => {
    known.current.set(item.id, { ...(known.current.get(item.id) ?? {}), ...item });
    setOpenId(item.id);
  };

  // Where the open conversation was in the list, so that when it leaves the list its follower takes its place.
  const openIndex = useRef(-1);
  useEffect(() => {
    const at = openId ? state.items.findIndex((i) => i.id === openId) : -1;
    if (at >= 0 || !openId) openIndex.current = at;
  }, [state.items, openId]);

  const onLeave = useCallback(() => {
    // ConversationPane: the open one left my view; show the one that follows it in the list, if any.
    setOpenId((current) => {
      const at = state.items.findIndex((i) => i.id === current);
      if (at >= 0) return (state.items[at + 1] ?? state.items[at - 1])?.id;
      const was = openIndex.current;
      return was >= 0 ? (state.items[was] ?? state.items[was - 1])?.id : undefined;
    });
  }, [state.items]);

  const backToList = () => {
    setOpenId(undefined);
    requestAnimationFrame(() => listWrap.current?.querySelector<HTMLElement>('[role="listbox"]')?.focus());
  };

  const onTabKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const at = tabs.indexOf(tab);
    const to = e.key === 'ArrowRight' ? at + 1 : e.key === 'ArrowLeft' ? at - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? tabs.length - 1 : undefined;
    if (to === undefined) return;
    e.preventDefault();
    const next = tabs[(to + tabs.length) % tabs.length]!;
    openTab(next);
    requestAnimationFrame(() => document.getElementById(`ws-tab-${next}`)?.focus());
  };

  // D3/D4: an operator in groups filters among his groups; a super_admin or one in no group among all.
  const groupChoices = useMemo(
    () => (me.role === 'super_admin' || me.groupIds.length === 0 ? groups : groups.filter((g) => me.groupIds.includes(g.id))),
    [groups, me.role, me.groupIds],
  );
  const searching = search.trim().length > 0;
  const loadMore = useCallback(() => dispatch({ type: 'loadMore' }), []);

  return (
    <div className={`workspace${openId ? ' has-open' : ''}`}>
      <aside className="lists ws-side" aria-label="Conversations">
        <div className="ws-search">
          <label htmlFor="ws-search-input" className="ws-visually-hidden">
            Search conversations by client name or message
          </label>
          <input
            id="ws-search-input"
            type="search"
            placeholder="Search clients and messages"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') setSearch('');
              if (e.key === 'ArrowDown' && focusFirstHit()) e.preventDefault();
            }}
            aria-describedby={searching ? 'ws-search-hint' : undefined}
            autoComplete="off"
          />
          <NotificationsButton />
          {outgoingEnabled(session) && (
            <button type="button" onClick={() => setWritingOutgoing(true)}>
              New WhatsApp message
            </button>
          )}
        </div>
        {writingOutgoing && (
          <OutgoingDialog
            onClose={() => setWritingOutgoing(false)}
            onStarted={(id) => {
              setWritingOutgoing(false);
              openTab('mine');
              setOpenId(id);
            }}
          />
        )}

        {searching ? (
          <SearchResults
            query={search}
            onOpen={(item) => {
              open(item);
            }}
          />
        ) : (
          <>
            <div className="ws-tabs" role="tablist" aria-label="Conversation tabs" onKeyDown={onTabKey}>
              {tabs.map((t) => {
                const unread = unreadIn(state, t);
                return (
                  <button
                    key={t}
                    id={`ws-tab-${t}`}
                    role="tab"
                    type="button"
                    aria-selected={t === tab}
                    aria-controls="ws-tabpanel"
                    tabIndex={t === tab ? 0 : -1}
                    className={`ws-tab${t === tab ? ' current' : ''}`}
                    onClick={() => openTab(t)}
                  >
                    {TAB_LABEL[t]}
                    {t === 'mine' && state.counters && (
                      <span className="ws-count" title="Conversations in my inbox">
                        <span className="ws-visually-hidden">, </span>
                        {state.counters.mine}
                        <span className="ws-visually-hidden"> conversations</span>
                      </span>
                    )}
                    {unread > 0 && (
                      <span className="ws-dot" title={`${unread} conversation${unread === 1 ? '' : 's'} with unread client messages`}>
                        <span className="ws-visually-hidden">, {unread} with unread messages</span>
                      </span>
                    )}
                  </button>
                );
              })}
            </div>

            <div id="ws-tabpanel" role="tabpanel" aria-labelledby={`ws-tab-${tab}`} className="ws-panel" ref={listWrap}>
              <div className="ws-filters">
                <label>
                  <span className="ws-visually-hidden">Group</span>
                  <select value={filters.groupId ?? ''} onChange={(e) => changeFilter({ groupId: e.target.value || undefined })} aria-label="Filter by group">
                    <option value="">All groups</option>
                    {groupChoices.map((g) => (
                      <option key={g.id} value={g.id}>
                        {g.name}
                      </option>
                    ))}
                  </select>
                </label>
                {tab === 'all' && (
                  <label>
                    <span className="ws-visually-hidden">Status</span>
                    <select value={filters.status ?? ''} onChange={(e) => changeFilter({ status: (e.target.value || undefined) as ConversationStatus | undefined })} aria-label="Filter by status">
                      <option value="">All statuses</option>
                      {(['unassigned', 'in_progress', 'closed'] as ConversationStatus[]).map((s) => (
                        <option key={s} value={s}>
                          {STATUS_LABEL[s]}
                        </option>
                      ))}
                    </select>
                  </label>
                )}
                {(tab === 'all' || tab === 'blacklist') && (
                  <label>
                    <span className="ws-visually-hidden">Operator</span>
                    <select value={filters.operatorId ?? ''} onChange={(e) => changeFilter({ operatorId: e.target.value || undefined })} aria-label="Filter by operator">
                      <option value="">All operators</option>
                      {operators.map((o) => (
                        <option key={o.id} value={o.id}>
                          {o.name}
                          {o.presence ? ` (${state.presence[o.id] ?? o.presence})` : ''}
                        </option>
                      ))}
                    </select>
                  </label>
                )}
              </div>

              {state.error && (
                <p role="alert" className="error ws-note">
                  {state.error}{' '}
                  <button type="button" onClick={() => dispatch({ type: state.items.length && nextCursor ? 'loadMore' : 'refresh' })}>
                    Try again
                  </button>
                </p>
              )}
              {loading === 'first' && state.items.length === 0 && <p className="ws-note">Loading…</p>}
              {loading !== 'first' && !state.error && state.items.length === 0 && <p className="ws-note">No conversations in {TAB_LABEL[tab]}{Object.keys(filters).length ? ' with these filters' : ''}.</p>}
              <ConversationList
                label={`${TAB_LABEL[tab]} conversations`}
                tab={tab}
                items={state.items}
                openId={openId}
                presence={state.presence}
                hasMore={nextCursor !== null && !state.error}
                loadingMore={loading === 'more'}
                onOpen={open}
                onEndReached={loadMore}
              />
              {loading === 'more' && <p className="ws-note ws-more">Loading more…</p>}
            </div>
          </>
        )}
      </aside>
      <div className="ws-main">
        {openId ? (
          <>
            <button type="button" className="ws-back" onClick={backToList}>
              ← Back to the list
            </button>
            <ConversationPane key={openId} conversationId={openId} onLeave={onLeave} />
          </>
        ) : (
          <section className="pane empty">Choose a conversation</section>
        )}
      </div>
    </div>
  );
}

/** Desktop notifications: permission is asked only from this button, never on load. */
function NotificationsButton() {
  const [permission, setPermission] = useState<NotifyPermission>(notifyPermission);
  const [muted, setMutedState] = useState(isMuted);
  if (permission === 'unsupported') return null;
  if (permission === 'denied')
    return (
      <span className="ws-notify-state" title="Notifications are blocked in this browser’s site settings">
        <BellIcon off /> <span className="ws-visually-hidden">Notifications blocked</span>
      </span>
    );
  if (permission === 'default')
    return (
      <button type="button" className="ws-notify" onClick={() => void Notification.requestPermission().then(setPermission)} title="Notify me of new client messages while this tab is hidden">
        <BellIcon /> <span className="ws-visually-hidden">Turn on desktop notifications</span>
      </button>
    );
  return (
    <button
      type="button"
      className="ws-notify"
      aria-pressed={!muted}
      onClick={() => {
        setMuted(!muted);
        setMutedState(!muted);
      }}
      title={muted ? 'Desktop notifications are off: turn them on' : 'Desktop notifications are on (while this tab is hidden): turn them off'}
    >
      <BellIcon off={muted} /> <span className="ws-visually-hidden">Desktop notifications</span>
    </button>
  );
}

function BellIcon({ off = false }: { off?: boolean }) {
  return (
    <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">
      <path fill="currentColor" d="M8 1.5a4 4 0 0 0-4 4v2.7L2.6 10.7a.5.5 0 0 0 .4.8h10a.5.5 0 0 0 .4-.8L12 8.2V5.5a4 4 0 0 0-4-4ZM6.3 12.5a1.8 1.8 0 0 0 3.4 0Z" />
      {off && <path stroke="currentColor" strokeWidth="1.5" d="M2 2l12 12" />}
    </svg>
  );
}
