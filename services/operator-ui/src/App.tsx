import { useCallback, useEffect, useState } from 'react';
import { Api, type LoginAnswer, type Operator } from './api/client';
import { forgetDrafts } from './conversation/use-draft';
import type { Features, Group } from './api/types';
import { LiveStream, type StreamStatus } from './live/stream';
import { Login } from './Login';
import { CannedResponsesPage } from './pages/CannedResponsesPage';
import { AccountDialog } from './pages/AccountDialog';
import { AnalyticsPage } from './pages/AnalyticsPage';
import { ChannelsPage } from './pages/ChannelsPage';
import { TeamPage } from './pages/TeamPage';
import { navigate, useRoute } from './route';
import { can, SessionContext, useSession, type Session } from './session';
import { Workspace } from './workspace/Workspace';

/**
 * One session per browser, as a cookie would be: a link opened in a new tab is logged in already,
 * and logging in or out in one tab does the same in every other.
 */
const TOKEN_KEY = 'relaydesk.token';

const REPLACED_TOKEN_GRACE_MS = 1500;

type Screen = 'conversations' | 'canned' | 'analytics' | 'team' | 'channels';

/** Restores the browser's session, or shows the login; then the workspace with its pages. */
export function App() {
  const [session, setSession] = useState<Session>();
  const [restoring, setRestoring] = useState(() => localStorage.getItem(TOKEN_KEY) !== null);
  const [ended, setEnded] = useState<string>();

  const leave = useCallback(() => {
    window.history.replaceState(null, '', '/');
    setSession((current) => {
      current?.stream.stop();
      return undefined;
    });
  }, []);

  /** Forgets the session in this browser; `reason`: the server ended it (its 401 says why), rather than the operator. */
  const end = useCallback((reason?: string) => {
    setEnded(reason);
    localStorage.removeItem(TOKEN_KEY);
    // The next operator on this browser starts at the beginning, with no one else's drafts.
    forgetDrafts();
    leave();
  }, [leave]);

  /**
   * A 401 ends the session unless this browser goes on with another token by then: a password
   * changed in some tab revokes this token a moment before that tab reads the answer with the new one.
   */
  const endUnlessReplaced = useCallback(
    (token: string, reason: string | undefined) =>
      setTimeout(() => [null, token].includes(localStorage.getItem(TOKEN_KEY)) && end(reason), REPLACED_TOKEN_GRACE_MS),
    [end],
  );

  const open = useCallback(
    async (token: string, me?: Operator) => {
      const api = new Api(token, (reason) => endUnlessReplaced(token, reason));
      const [who, features, groups] = await Promise.all([me ?? api.get<Operator>('/me'), api.get<Features>('/features'), api.get<{ items: Group[] }>('/groups')]);
      if (localStorage.getItem(TOKEN_KEY) !== token) localStorage.setItem(TOKEN_KEY, token);
      const refreshGroups = async () => {
        const fresh = await api.get<{ items: Group[] }>('/groups');
        setSession((current) => current && { ...current, groups: fresh.items });
      };
      const becomes = (me: Operator) => setSession((current) => current && { ...current, me });
      // The server is asked to revoke the token; this browser forgets it at once, without waiting for the answer.
      const logOut = ({ everywhere = false } = {}) => {
        void new Api(token).post('/auth/logout', { everywhere }).catch(() => undefined);
        end();
      };
      const switchToken = async (fresh: string) => {
        localStorage.setItem(TOKEN_KEY, fresh);
        await open(fresh, who);
      };
      // A dropped stream may mean a deactivated operator: GET /me answers 401 then, which logs out.
      const stream = new LiveStream(token).start(() => void api.get<Operator>('/me').then(becomes, () => undefined));
      // A super_admin changed my role, permissions or groups: the tabs and pages follow.
      stream.onFrame((frame) => frame.type === 'operator.updated' && becomes(frame.data as Operator));
      setSession((current) => {
        current?.stream.stop();
        return { me: who, api, stream, features, groups: groups.items, refreshGroups, logOut, switchToken };
      });
    },
    [end, endUnlessReplaced],
  );

  useEffect(() => {
    const token = localStorage.getItem(TOKEN_KEY);
    if (!token) return;
    open(token)
      .catch(() => localStorage.removeItem(TOKEN_KEY))
      .finally(() => setRestoring(false));
  }, [open]);

  // Another tab of this browser logged in (perhaps as someone else) or out.
  useEffect(() => {
    const follow = (event: StorageEvent) => {
      if (event.key !== TOKEN_KEY) return;
      if (event.newValue) void open(event.newValue).catch(() => undefined);
      else leave();
    };
    window.addEventListener('storage', follow);
    return () => window.removeEventListener('storage', follow);
  }, [open, leave]);

  if (restoring) return <p className="loading">Loading…</p>;
  if (!session) return <Login ended={ended} onLoggedIn={(answer: LoginAnswer) => void open(answer.accessToken, answer.operator)} />;
  return (
    <SessionContext.Provider value={session}>
      <Shell />
    </SessionContext.Provider>
  );
}

function Shell() {
  const route = useRoute();
  const session = useSession();
  // A page the operator may not see (analytics without D1's analytics.view, the team and channels without being super_admin) is the conversations.
  const mayOpen = (page: Screen) => (page === 'analytics' ? can(session.me, 'analytics.view') : page === 'team' || page === 'channels' ? session.me.role === 'super_admin' : true);
  const screen: Screen = mayOpen(route.page) ? route.page : 'conversations';
  const openConversation = (id: string) => navigate({ page: 'conversations', conversationId: id });
  // The stream may be online already: it started before this screen could listen.
  const [status, setStatus] = useState<StreamStatus>(session.stream.status);
  const [accountOpen, setAccountOpen] = useState(false);
  useEffect(() => session.stream.onStatus(setStatus), [session.stream]);
  const allPages: [Screen, string][] = [
    ['conversations', 'Conversations'],
    ['canned', 'Canned responses'],
    ['analytics', 'Tag analytics'],
    ['team', 'Team'],
    ['channels', 'Channels'],
  ];
  const pages = allPages.filter(([key]) => mayOpen(key));
  // The workspace titles the page itself, with what awaits the operator.
  useEffect(() => {
    if (screen !== 'conversations') document.title = `${allPages.find(([key]) => key === screen)![1]} · Relaydesk`;
  });
  return (
    <div className="shell">
      <header className="topbar">
        <strong className="brand">Relaydesk</strong>
        <nav aria-label="Pages">
          {pages.map(([key, label]) => (
            <button key={key} className={screen === key ? 'current' : ''} aria-current={screen === key ? 'page' : undefined} onClick={() => navigate({ page: key })}>
              {label}
            </button>
          ))}
        </nav>
        <span className={`presence presence-${status === 'online' ? 'online' : 'offline'}`} role="img" aria-label={`${session.me.name}, ${status === 'online' ? 'online' : 'offline'}`}>
          {session.me.name}
        </span>
        <button onClick={() => setAccountOpen(true)}>Account</button>
        <button onClick={() => session.logOut()}>Log out</button>
      </header>
      {accountOpen && <AccountDialog onClose={() => setAccountOpen(false)} />}
      {status === 'offline' && (
        <p role="status" className="offline-banner">
          Connection lost: reconnecting… Changes made meanwhile appear when it is back.
        </p>
      )}
      {screen === 'conversations' && <Workspace />}
      {screen === 'canned' && <CannedResponsesPage />}
      {screen === 'analytics' && <AnalyticsPage onOpenConversation={openConversation} />}
      {screen === 'team' && <TeamPage />}
      {screen === 'channels' && <ChannelsPage />}
    </div>
  );
}
