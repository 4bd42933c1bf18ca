import { useEffect, useState } from 'react';
import type { Tab } from './api/types';

/**
 * Where the operator is, as the address bar says it: `/conversations/<tab>[/<conversation id>]`,
 * `/conversations/<conversation id>` (a link: the workspace finds its tab), `/canned-responses`,
 * `/analytics`, `/team`, `/channels` (`/` is the conversations). The gateway answers the app for
 * each of these paths, so a reload, a link and the browser's Back land where they say.
 */
export type Route = { page: 'conversations'; tab?: Tab; conversationId?: string } | { page: 'canned' } | { page: 'analytics' } | { page: 'team' } | { page: 'channels' };

const tabs: readonly string[] = ['unassigned', 'mine', 'closed', 'all', 'blacklist'] satisfies Tab[];
/** A conversation id as the server makes them (UUIDs); anything else in its place is ignored. */
const conversationIdPattern = /^[\w-]{1,64}$/;
/** A link's conversation id stands where a tab would, so only a UUID is taken for one. */
const linkedIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CHANGED = 'relaydesk:route';

export function routeOf(pathname: string): Route {
  const [first, tab, id, ...rest] = pathname.split('/').filter(Boolean);
  if (first === 'canned-responses') return { page: 'canned' };
  if (first === 'analytics') return { page: 'analytics' };
  if (first === 'team') return { page: 'team' };
  if (first === 'channels') return { page: 'channels' };
  if (first === 'conversations' && tab !== undefined && id === undefined && linkedIdPattern.test(tab)) return { page: 'conversations', conversationId: tab };
  if (rest.length > 0) return { page: 'conversations' };
  if (first !== 'conversations' || tab === undefined || !tabs.includes(tab)) return { page: 'conversations' };
  return { page: 'conversations', tab: tab as Tab, ...(id !== undefined && conversationIdPattern.test(id) ? { conversationId: id } : {}) };
}

export function pathOf(route: Route): string {
  if (route.page === 'canned') return '/canned-responses';
  if (route.page === 'analytics') return '/analytics';
  if (route.page === 'team') return '/team';
  if (route.page === 'channels') return '/channels';
  if (!route.tab && route.conversationId) return `/conversations/${route.conversationId}`;
  const tab = route.tab ?? 'unassigned';
  return route.conversationId ? `/conversations/${tab}/${route.conversationId}` : `/conversations/${tab}`;
}

/** Goes to `route`: a new history entry, or in place of the current one with `replace` (a move the operator did not ask for). */
export function navigate(route: Route, { replace = false }: { replace?: boolean } = {}): void {
  const path = pathOf(route);
  if (path === window.location.pathname) return;
  if (replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  window.dispatchEvent(new Event(CHANGED));
}

/** The current route, following navigate() and the browser's Back and Forward. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => routeOf(window.location.pathname));
  useEffect(() => {
    const follow = () => setRoute(routeOf(window.location.pathname));
    window.addEventListener('popstate', follow);
    window.addEventListener(CHANGED, follow);
    return () => {
      window.removeEventListener('popstate', follow);
      window.removeEventListener(CHANGED, follow);
    };
  }, []);
  return route;
}
