import { useCallback, useEffect, useReducer, useState } from 'react';
import { ApiError } from '../api/client';
import type { ConversationItem, Counters, OperatorSummary, Page, Presence, Tab } from '../api/types';
import { useSession, useStreamFrames } from '../session';
import { initialState, reduce, type Filters } from './list-state';

const PAGE_SIZE = 50;
const FRAMES = ['hello', 'reload', 'operator.updated', 'conversation.updated', 'message.created', 'counters.updated', 'presence.updated'];

const query = (tab: Tab, filters: Filters, cursor?: string | null): string => {
  const params = new URLSearchParams({ tab, limit: String(PAGE_SIZE) });
  if (filters.groupId) params.set('groupId', filters.groupId);
  if (tab === 'all' && filters.status) params.set('status', filters.status);
  if ((tab === 'all' || tab === 'blacklist') && filters.operatorId) params.set('operatorId', filters.operatorId);
  if (cursor) params.set('cursor', cursor);
  return `/conversations?${params}`;
};

/**
 * The list side of the workspace wired to the server: list-state's reducer fed by the tab's pages,
 * the stream's frames, the counters and the colleagues (with presence). Each tab keeps its filters.
 */
export function useConversationList(firstTab: Tab = 'unassigned') {
  const { api, me, stream } = useSession();
  const [state, dispatch] = useReducer(reduce, me.id, (id) => initialState(id, firstTab));
  const [filtersByTab, setFiltersByTab] = useState<Partial<Record<Tab, Filters>>>({});
  const [operators, setOperators] = useState<OperatorSummary[]>([]);
  const { tab, filters, generation, loading, nextCursor, awaitingStream } = state;

  useEffect(() => {
    const follow = () => dispatch({ type: 'stream', status: stream.status, epoch: stream.epoch });
    follow();
    return stream.onStatus(follow);
  }, [stream]);

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

  // `reload`, a change of my groups or permissions, or a subscription the list was not read in: read the tab, the counters and presence again.
  useEffect(() => {
    if (!state.stale) return;
    dispatch({ type: 'refresh' });
    loadCounters();
    loadOperators();
  }, [state.stale, loadCounters, loadOperators]);

  useStreamFrames(FRAMES, (frame) => dispatch({ type: 'frame', frame }));

  const openTab = useCallback((next: Tab) => dispatch({ type: 'open', tab: next, filters: filtersByTab[next] ?? {} }), [filtersByTab]);

  const changeFilter = (patch: Filters) => {
    const next = { ...filters, ...patch };
    for (const key of Object.keys(next) as (keyof Filters)[]) if (!next[key]) delete next[key];
    setFiltersByTab((all) => ({ ...all, [tab]: next }));
    dispatch({ type: 'open', tab, filters: next });
  };

  const loadMore = useCallback(() => dispatch({ type: 'loadMore' }), []);
  const retry = () => dispatch({ type: state.items.length && nextCursor ? 'loadMore' : 'refresh' });

  return { state, operators, openTab, changeFilter, loadMore, retry };
}
