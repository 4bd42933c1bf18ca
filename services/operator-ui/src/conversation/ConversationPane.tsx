import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client';
import type { ConversationItem, Message, Page, Tag } from '../api/types';
import { hasAllTab, useSession, useStreamFrames } from '../session';
import { channelName } from './attachments';
import { ClientPanel, type ClientProfile } from './ClientPanel';
import { Composer } from './Composer';
import { AssignGroupDialog, AssignOperatorDialog, ConfirmDialog, EmailDialog, TagDialog } from './Dialogs';
import { History } from './History';
import { messageOf, statusLabel } from './util';
import './conversation.css';

/** How long a "someone else took it" stays on screen before the pane gives the conversation up. */
export const LEAVE_AFTER_MS = 2500;
const PAGE = 50;

type DialogName = 'operator' | 'group' | 'email' | 'tag' | 'blacklist' | 'unlock';
type Banner = { kind: 'error' | 'info'; text: string };

/** Messages by id (a send's answer and its stream frame are one), oldest first. */
export function mergeMessages(list: Message[], incoming: Message[]): Message[] {
  const byId = new Map(list.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, { ...byId.get(m.id), ...m, sender: { ...byId.get(m.id)?.sender, ...m.sender } });
  return [...byId.values()].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
}

/**
 * One conversation: its preview before "Start conversation" (Unassigned), history, composer,
 * actions and the client's profile. `onLeave`: the conversation left the caller's view (closed,
 * handed over, no longer visible), so the workspace can show the next one.
 */
export function ConversationPane({ conversationId, onLeave }: { conversationId: string; onLeave: () => void }) {
  // Another conversation starts from a clean slate: no draft, selection or dialog carried over.
  return <OpenConversation key={conversationId} conversationId={conversationId} onLeave={onLeave} />;
}

function OpenConversation({ conversationId, onLeave }: { conversationId: string; onLeave: () => void }) {
  const { api, me, groups } = useSession();
  const [conv, setConv] = useState<ConversationItem>();
  const [client, setClient] = useState<ClientProfile>();
  const [messages, setMessages] = useState<Message[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [loadError, setLoadError] = useState<string>();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [dialog, setDialog] = useState<DialogName>();
  const [banner, setBanner] = useState<Banner>();
  const [busy, setBusy] = useState(false);
  const [profileOpen, setProfileOpen] = useState(() => typeof window === 'undefined' || !window.matchMedia || window.matchMedia('(min-width: 801px)').matches);
  const latestOnLeave = useRef(onLeave);
  latestOnLeave.current = onLeave;
  // The pane leaves once: a stream frame and the answer of the same move must not skip two conversations.
  const gone = useRef(false);
  const leave = useRef(() => {
    if (gone.current) return;
    gone.current = true;
    latestOnLeave.current();
  });
  const leaveTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const base = `/conversations/${conversationId}`;

  useEffect(() => {
    gone.current = false;
    return () => {
      gone.current = true;
      clearTimeout(leaveTimer.current);
    };
  }, []);

  /** Shows why, then gives the conversation up (the pane would vanish with the message at once). */
  const leaveLater = useCallback((text: string) => {
    setBanner({ kind: 'error', text });
    clearTimeout(leaveTimer.current);
    leaveTimer.current = setTimeout(() => leave.current(), LEAVE_AFTER_MS);
  }, []);

  const markRead = useCallback(() => {
    api.post(`${base}/read`).catch(() => undefined);
  }, [api, base]);

  const readClient = useCallback(
    async (clientId: string) => {
      try {
        setClient(await api.get<ClientProfile>(`/clients/${clientId}`));
      } catch {
        // the profile panel stays as it was; the conversation itself still works
      }
    },
    [api],
  );

  /** Re-reads the conversation and its client: after a refused move, the screen shows what is true. */
  const readConversation = useCallback(async () => {
    try {
      const item = await api.get<ConversationItem>(base);
      setConv(item);
      void readClient(item.client.id);
      return item;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) leaveLater('You can no longer see this conversation.');
      else setLoadError(messageOf(e));
      return undefined;
    }
  }, [api, base, leaveTimer, readClient, leaveLater]);

  const readMessages = useCallback(async () => {
    const page = await api.get<Page<Message>>(`${base}/messages?limit=${PAGE}`);
    setMessages((list) => mergeMessages(list.filter((m) => m.createdAt > (page.items[0]?.createdAt ?? '')), page.items));
    setCursor(page.nextCursor);
  }, [api, base]);

  // Opening: the conversation, its newest messages, its client; and it counts as read (D14).
  useEffect(() => {
    setConv(undefined);
    setClient(undefined);
    setMessages([]);
    setCursor(null);
    setSelected(new Set());
    setBanner(undefined);
    setLoadError(undefined);
    setDialog(undefined);
    clearTimeout(leaveTimer.current);
    void readConversation();
    readMessages().catch((e: unknown) => setLoadError(messageOf(e)));
    markRead();
  }, [conversationId, readConversation, readMessages, markRead]);

  const loadOlder = useCallback(async () => {
    if (!cursor || loadingOlder) return;
    setLoadingOlder(true);
    try {
      const page = await api.get<Page<Message>>(`${base}/messages?limit=${PAGE}&before=${encodeURIComponent(cursor)}`);
      setMessages((list) => mergeMessages(list, page.items));
      setCursor(page.nextCursor);
    } catch (e) {
      setBanner({ kind: 'error', text: `Older messages could not be loaded: ${messageOf(e)}` });
    } finally {
      setLoadingOlder(false);
    }
  }, [api, base, cursor, loadingOlder]);

  useStreamFrames(['conversation.updated', 'message.created', 'message.updated', 'reload'], (frame) => {
    const data = frame.data as Record<string, unknown>;
    switch (frame.type) {
      case 'conversation.updated': {
        if (data['id'] !== conversationId) return;
        if (data['visible'] === false) return leave.current();
        const item = data as unknown as ConversationItem;
        setConv((old) => (old ? { ...old, ...item } : item));
        if (client && (item.client?.name !== client.name || item.client?.blacklisted !== client.blacklisted || (item.pin?.label ?? null) !== (client.pin?.label ?? null)))
          void readClient(client.id);
        return;
      }
      case 'message.created': {
        if (data['conversationId'] !== conversationId) return;
        const message = data['message'] as Message;
        setMessages((list) => mergeMessages(list, [message]));
        if (message.direction === 'in' && message.kind !== 'note' && message.kind !== 'event') markRead();
        return;
      }
      case 'message.updated': {
        if (data['conversationId'] !== conversationId) return;
        const { messageId, deliveryStatus, deliveryError } = data as { messageId: string; deliveryStatus: Message['deliveryStatus']; deliveryError?: Message['deliveryError'] };
        setMessages((list) => list.map((m) => (m.id === messageId ? { ...m, deliveryStatus, deliveryError: deliveryError ?? null } : m)));
        return;
      }
      case 'reload':
        void readConversation();
        readMessages().catch(() => undefined);
    }
  });

  /** A move of the conversation; a refusal (403/409…) is shown as the server put it, then the screen re-reads. */
  const move = async (path: string, body?: Record<string, unknown>, then?: 'leave') => {
    setBusy(true);
    setBanner(undefined);
    try {
      const item = await api.post<ConversationItem>(`${base}/${path}`, body);
      if (item && typeof item === 'object' && 'status' in item) setConv((old) => ({ ...old, ...item }));
      if (then === 'leave') leave.current();
      else void readConversation();
      return true;
    } catch (e) {
      setBanner({ kind: 'error', text: messageOf(e) });
      void readConversation();
      throw e;
    } finally {
      setBusy(false);
    }
  };
  const tryMove = (path: string, body?: Record<string, unknown>, then?: 'leave') => move(path, body, then).catch(() => undefined);

  const take = async () => {
    setBusy(true);
    setBanner(undefined);
    try {
      setConv(await api.post<ConversationItem>(`${base}/take`));
      void readConversation();
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) leaveLater('Someone else took this conversation.');
      else {
        setBanner({ kind: 'error', text: messageOf(e) });
        void readConversation();
      }
    } finally {
      setBusy(false);
    }
  };

  const toggle = useCallback((id: string) => {
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);

  const onSent = useCallback((message: Message) => setMessages((list) => mergeMessages(list, [message])), []);

  if (!conv) {
    return (
      <section className="pane cv-pane" aria-label="Conversation">
        {banner && (
          <p role="alert" className="cv-banner cv-banner-error">
            {banner.text}
          </p>
        )}
        {loadError ? (
          <p role="alert" className="error cv-pad">
            This conversation could not be opened: {loadError}
          </p>
        ) : (
          !banner && <p className="loading">Loading conversation…</p>
        )}
      </section>
    );
  }

  const holder = conv.status === 'in_progress' && conv.assignee?.id === me.id;
  const blacklisted = client?.blacklisted ?? conv.client.blacklisted;
  const selectedIds = messages.filter((m) => selected.has(m.id)).map((m) => m.id);
  const clientName = client?.name ?? conv.client.name;

  return (
    <section className="pane cv-pane" aria-label={`Conversation with ${clientName}`}>
      <header className="cv-head">
        <button type="button" className="cv-avatar" aria-label={profileOpen ? 'Hide client profile' : 'Show client profile'} aria-expanded={profileOpen} onClick={() => setProfileOpen((o) => !o)}>
          <span aria-hidden="true">{[...clientName.trim()][0]?.toUpperCase() ?? '?'}</span>
        </button>
        <div className="cv-head-main">
          <h2 className="cv-title" dir="auto" title={clientName}>
            {clientName}
          </h2>
          <dl className="cv-facts">
            <div>
              <dt>Channel</dt>
              <dd className={`cv-channel cv-channel-${conv.client.channel}`}>{channelName(conv.client.channel)}</dd>
            </div>
            <div>
              <dt>Group</dt>
              <dd className="cv-ellipsis" dir="auto">
                {conv.group.name ?? '—'}
              </dd>
            </div>
            <div>
              <dt>Status</dt>
              <dd>
                <span className={`cv-status cv-status-${conv.status}`}>{statusLabel[conv.status] ?? conv.status}</span>
                {blacklisted && <span className="cv-status cv-status-blacklisted">Blacklisted</span>}
              </dd>
            </div>
            <div>
              <dt>Assignee</dt>
              <dd className="cv-ellipsis" dir="auto">
                {conv.assignee ? (conv.assignee.id === me.id ? `${conv.assignee.name ?? 'me'} (me)` : (conv.assignee.name ?? 'an operator')) : 'nobody'}
              </dd>
            </div>
          </dl>
        </div>
      </header>

      <div className="cv-actions" role="toolbar" aria-label="Conversation actions">
        {conv.status === 'unassigned' && (
          <button type="button" className="primary" disabled={busy} onClick={() => void take()}>
            Start conversation
          </button>
        )}
        {conv.status === 'closed' && (
          <button type="button" className="primary" disabled={busy} onClick={() => void tryMove('reopen')}>
            Start conversation
          </button>
        )}
        {holder && (
          <>
            <button type="button" disabled={busy} onClick={() => void tryMove('close', undefined, 'leave')}>
              To closed
            </button>
            <button type="button" disabled={busy} onClick={() => void tryMove('unassign', undefined, 'leave')}>
              To Unassigned
            </button>
          </>
        )}
        <button type="button" disabled={busy} onClick={() => setDialog('operator')}>
          Assign to operator
        </button>
        <button type="button" disabled={busy} onClick={() => setDialog('group')}>
          Assign to group
        </button>
        <button type="button" disabled={busy} onClick={() => setDialog('email')}>
          Send to Email{selectedIds.length > 0 ? ` (${selectedIds.length})` : ''}
        </button>
        <button type="button" disabled={busy || selectedIds.length === 0} title={selectedIds.length === 0 ? 'Select messages first' : undefined} onClick={() => setDialog('tag')}>
          Add Tag{selectedIds.length > 0 ? ` (${selectedIds.length})` : ''}
        </button>
        {!blacklisted && (
          <button type="button" className="cv-danger" disabled={busy} onClick={() => setDialog('blacklist')}>
            Send to the black list
          </button>
        )}
        {blacklisted && hasAllTab(me) && (
          <button type="button" disabled={busy} onClick={() => setDialog('unlock')}>
            Unlock conversation
          </button>
        )}
        {selectedIds.length > 0 && (
          <button type="button" className="cv-link" onClick={() => setSelected(new Set())}>
            Clear selection
          </button>
        )}
      </div>

      {banner && (
        <p role="alert" className={`cv-banner cv-banner-${banner.kind}`}>
          {banner.text}
          <button type="button" className="cv-link" aria-label="Dismiss" onClick={() => setBanner(undefined)}>
            ×
          </button>
        </p>
      )}
      {loadError && (
        <p role="alert" className="cv-banner cv-banner-error">
          {loadError}
        </p>
      )}

      <div className={`cv-body${profileOpen && client ? ' cv-with-profile' : ''}`}>
        <div className="cv-main">
          {conv.status === 'unassigned' && <p className="cv-preview-note">Preview: press “Start conversation” to take it into your inbox and reply.</p>}
          <History api={api} messages={messages} hasOlder={cursor !== null} loadingOlder={loadingOlder} onLoadOlder={loadOlder} selected={selected} onToggle={toggle} selectable clientName={clientName} />
          {holder ? (
            <Composer api={api} conversationId={conversationId} channel={conv.client.channel} onSent={onSent} />
          ) : (
            conv.status === 'in_progress' && <p className="cv-readonly">Only {conv.assignee?.name ?? 'its assignee'} can reply in this conversation.</p>
          )}
        </div>
        {profileOpen && client && <ClientPanel api={api} client={client} onChanged={setClient} onClose={() => setProfileOpen(false)} />}
      </div>

      {dialog === 'operator' && (
        <AssignOperatorDialog
          api={api}
          currentId={conv.assignee?.id}
          onClose={() => setDialog(undefined)}
          onAssign={async (operatorId) => {
            await move('assign', { operatorId }, operatorId === me.id ? undefined : 'leave');
            setDialog(undefined);
          }}
        />
      )}
      {dialog === 'group' && (
        <AssignGroupDialog
          groups={groups}
          currentId={conv.group.id}
          onClose={() => setDialog(undefined)}
          onAssign={async (groupId) => {
            await move('group', { groupId }, 'leave');
            setDialog(undefined);
          }}
        />
      )}
      {dialog === 'email' && <EmailDialog api={api} conversationId={conversationId} selectedIds={selectedIds} defaultSubject={`Conversation with ${clientName}`} onClose={() => setDialog(undefined)} />}
      {dialog === 'tag' && (
        <TagDialog
          api={api}
          conversationId={conversationId}
          selectedIds={selectedIds}
          onClose={() => setDialog(undefined)}
          onTagged={(tag: Tag, tagged: Message[]) => {
            setMessages((list) =>
              list.map((m) => {
                if (!selectedIds.includes(m.id)) return m;
                const fresh = tagged.find((t) => t.id === m.id)?.tags;
                return { ...m, tags: fresh ?? (m.tags.some((t) => t.id === tag.id) ? m.tags : [...m.tags, tag]) };
              }),
            );
            setSelected(new Set());
            setDialog(undefined);
            setBanner({ kind: 'info', text: `Tag “${tag.name}” added to ${selectedIds.length} message${selectedIds.length === 1 ? '' : 's'}.` });
          }}
        />
      )}
      {dialog === 'blacklist' && (
        <ConfirmDialog
          title="Send to the black list"
          text={`Messages from ${clientName} will be kept but reach no operator until the client is unlocked.`}
          confirm="Send to the black list"
          onClose={() => setDialog(undefined)}
          onConfirm={async () => {
            await move('blacklist');
            setDialog(undefined);
          }}
        />
      )}
      {dialog === 'unlock' && (
        <ConfirmDialog
          title="Unlock conversation"
          text={`Take ${clientName} off the black list? If messages arrived meanwhile, the conversation goes to Unassigned of its group.`}
          confirm="Unlock"
          onClose={() => setDialog(undefined)}
          onConfirm={async () => {
            setBusy(true);
            setBanner(undefined);
            try {
              setConv(await api.delete<ConversationItem>(`${base}/blacklist`));
              void readConversation();
              setDialog(undefined);
            } catch (e) {
              void readConversation();
              throw e;
            } finally {
              setBusy(false);
            }
          }}
        />
      )}
    </section>
  );
}
