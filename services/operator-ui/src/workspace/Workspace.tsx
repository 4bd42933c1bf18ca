import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { ConversationItem, Tab } from '../api/types';
import { ConversationPane } from '../conversation/ConversationPane';
import { OutgoingDialog, outgoingEnabled } from '../pages/OutgoingDialog';
import { navigate, useRoute } from '../route';
import { hasAllTab, useSession } from '../session';
import { ConversationList } from './ConversationList';
import { TAB_LABEL } from './format';
import { homeTab } from './list-state';
import { ListFilters } from './ListFilters';
import { NotificationsButton } from './NotificationsButton';
import { focusFirstHit, SearchResults } from './SearchResults';
import { TabBar } from './TabBar';
import { useConversationList } from './use-conversation-list';
import { useDesktopNotifications } from './use-desktop-notifications';
import './workspace.css';

/**
 * Tabs, filters, search and the conversation list on the left; the open conversation beside them.
 * The tab and the open conversation are the address's (route.ts), so Back, a reload and a link
 * bring them back.
 */
/**
 * Escape in the open conversation goes back to the list, unless something inside took it (a dialog,
 * a picker, the canned responses) or it would leave a field with text in it.
 */
function closesConversation(e: KeyboardEvent): boolean {
  if (e.key !== 'Escape' || e.defaultPrevented) return false;
  const target = e.target as HTMLElement;
  return !((target instanceof HTMLTextAreaElement || target instanceof HTMLInputElement) && target.value !== '');
}

export function Workspace() {
  const session = useSession();
  const { me, groups } = session;
  const tabs = useMemo<Tab[]>(() => (hasAllTab(me) ? ['unassigned', 'mine', 'closed', 'all', 'blacklist'] : ['unassigned', 'mine', 'closed']), [me]);
  const route = useRoute();
  const routeTab = route.page === 'conversations' && route.tab && tabs.includes(route.tab) ? route.tab : 'unassigned';
  const openId = route.page === 'conversations' ? route.conversationId : undefined;
  const namedTab = route.page === 'conversations' ? route.tab : undefined;
  const { state, operators, openTab, changeFilter, loadMore, retry } = useConversationList(routeTab);
  const { tab, filters, loading, nextCursor } = state;
  /** Shows a conversation (or none) in `inTab`; `replace` for a move the operator did not make himself. */
  const show = useCallback((id: string | undefined, inTab: Tab = routeTab, replace = false) => navigate({ page: 'conversations', tab: inTab, ...(id ? { conversationId: id } : {}) }, { replace }), [routeTab]);
  const setOpenId = useCallback((id: string | undefined) => show(id), [show]);
  useEffect(() => {
    if (routeTab !== tab) openTab(routeTab);
  }, [routeTab]); // the address leads, the list follows
  const [writingOutgoing, setWritingOutgoing] = useState(false);
  const [search, setSearch] = useState('');
  const listWrap = useRef<HTMLDivElement>(null);
  const remember = useDesktopNotifications(state.items, me.id, setOpenId);
  // The browser tab says how many conversations wait with unread messages in Unassigned and My inbox.
  const waiting = (state.counters?.unread.unassigned ?? 0) + (state.counters?.unread.mine ?? 0);
  useEffect(() => {
    document.title = `${waiting > 0 ? `(${waiting}) ` : ''}${TAB_LABEL[tab]} · Relaydesk`;
  }, [waiting, tab]);

  const open = (item: ConversationItem) => {
    remember(item);
    setOpenId(item.id);
  };

  // Where the open conversation was in the list, so that when it leaves the list its follower takes its place.
  const openIndex = useRef(-1);
  useEffect(() => {
    const at = openId ? state.items.findIndex((i) => i.id === openId) : -1;
    if (at >= 0 || !openId) openIndex.current = at;
  }, [state.items, openId]);

  // The open one left my view. Nothing opens by itself, since opening counts as viewing (D14): the
  // one that followed it in the list becomes the list's active row, for Enter or a click.
  const [followerId, setFollowerId] = useState<string>();
  const onLeave = useCallback(() => {
    const at = state.items.findIndex((i) => i.id === openId);
    const was = openIndex.current;
    const follower = at >= 0 ? (state.items[at + 1] ?? state.items[at - 1]) : was >= 0 ? (state.items[was] ?? state.items[was - 1]) : undefined;
    setFollowerId(follower?.id);
    show(undefined, routeTab, true);
    requestAnimationFrame(() => {
      if (!document.activeElement || document.activeElement === document.body) focusList();
    });
  }, [state.items, openId, show, routeTab]);

  // A link names no tab, and a take (or an assignment to me, or a reopen) makes the open
  // conversation mine: the list moves to where it now is. Only such a change moves it, so the
  // operator may still look at other tabs with a conversation of his open.
  const placed = useRef<{ id: string; home: Tab | undefined }>(undefined);
  const placeOpen = useCallback(
    (item: ConversationItem) => {
      if (item.id !== openId) return;
      const home = homeTab(tabs, me.id, item);
      const before = placed.current?.id === item.id ? placed.current : undefined;
      placed.current = { id: item.id, home };
      if (!home || home === routeTab) return;
      if (before ? home === 'mine' && before.home !== 'mine' : !namedTab) show(item.id, home, true);
    },
    [openId, tabs, me.id, routeTab, namedTab, show],
  );

  const focusList = () => listWrap.current?.querySelector<HTMLElement>('[role="listbox"]')?.focus();
  const backToList = () => {
    setOpenId(undefined);
    requestAnimationFrame(focusList);
  };

  // D3/D4: an operator in groups filters among his groups; a super_admin or one in no group among all.
  const groupChoices = useMemo(
    () => (me.role === 'super_admin' || me.groupIds.length === 0 ? groups : groups.filter((g) => me.groupIds.includes(g.id))),
    [groups, me.role, me.groupIds],
  );
  const searching = search.trim().length > 0;

  return (
    <main className={`workspace${openId ? ' has-open' : ''}`} aria-labelledby="ws-heading">
      <h1 id="ws-heading" className="ws-visually-hidden">
        Conversations
      </h1>
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
              New WhatsApp conversation
            </button>
          )}
        </div>
        {writingOutgoing && (
          <OutgoingDialog
            onClose={() => setWritingOutgoing(false)}
            onStarted={(id) => {
              setWritingOutgoing(false);
              show(id, 'mine');
            }}
          />
        )}

        {searching ? (
          <SearchResults query={search} onOpen={open} />
        ) : (
          <>
            <TabBar tabs={tabs} state={state} onOpen={(next) => next !== tab && show(openId, next)} />
            <div id="ws-tabpanel" role="tabpanel" aria-labelledby={`ws-tab-${tab}`} className="ws-panel" ref={listWrap}>
              <ListFilters tab={tab} filters={filters} groups={groupChoices} operators={operators} presence={state.presence} onChange={changeFilter} />
              {state.error && (
                <p role="alert" className="error ws-note">
                  {state.error}{' '}
                  <button type="button" onClick={retry}>
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
                followerId={followerId}
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
      <div
        className="ws-main"
        onKeyDown={(e) => {
          if (openId && closesConversation(e)) backToList();
        }}
      >
        {openId ? (
          <>
            <button type="button" className="ws-back" onClick={backToList}>
              ← Back to the list
            </button>
            <ConversationPane key={openId} conversationId={openId} onLeave={onLeave} onItem={placeOpen} />
          </>
        ) : (
          <section className="pane empty">Choose a conversation</section>
        )}
      </div>
    </main>
  );
}
