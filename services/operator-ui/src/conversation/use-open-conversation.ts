import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client';
import type { ConversationItem, Message, Page } from '../api/types';
import { useSession, useStreamFrames } from '../session';
import type { ClientProfile } from './ClientPanel';
import { messageOf } from './util';

/** How long a "someone else took it" stays on screen before the pane gives the conversation up. */
export const LEAVE_AFTER_MS = 4000;
const PAGE = 50;

export type Banner = { kind: 'error' | 'info'; text: string };
/** The operator the stream names as having moved a conversation out of the caller's view. */
type Mover = { id: string; name?: string | null; blacklisted?: boolean };

/** Messages by id (a send's answer and its stream frame are one), oldest first. */
export function mergeMessages(list: Message[], incoming: Message[]): Message[] {
  const byId = new Map(list.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, { ...byId.get(m.id), ...m, sender: { ...byId.get(m.id)?.sender, ...m.sender } });
  return [...byId.values()].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
}

/**
 * One open conversation as data: the item, its client, its messages (newest page first, older on
 * request), kept current by the stream; and the moves on it. It counts as read when opened and
 * when a client message arrives while open (D14). `onLeave` is called once, when the conversation
 * leaves the caller's view.
 */
export function useOpenConversation(conversationId: string, onLeave: () => void) {
  const { api, me } = useSession();
  const [conv, setConv] = useState<ConversationItem>();
  const [client, setClient] = useState<ClientProfile>();
  const [messages, setMessages] = useState<Message[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [loadError, setLoadError] = useState<string>();
  const [banner, setBanner] = useState<Banner>();
  const [busy, setBusy] = useState(false);
  const [leaving, setLeaving] = useState(false);
  const latestOnLeave = useRef(onLeave);
  latestOnLeave.current = onLeave;
  // The pane leaves once: a stream frame and the answer of the same move must not skip two conversations.
  const gone = useRef(false);
  const leave = useCallback(() => {
    if (gone.current) return;
    gone.current = true;
    latestOnLeave.current();
  }, []);
  const leaveTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  /** A move of the caller's own is under way: its answer decides whether the pane leaves. */
  const moving = useRef(false);
  /** Who moved the conversation away, once the stream has said; and whether it was a take of ours he beat. */
  const mover = useRef<Mover>(undefined);
  const lostTake = useRef(false);
  const base = `/conversations/${conversationId}`;

  useEffect(() => {
    gone.current = false;
    return () => {
      gone.current = true;
      clearTimeout(leaveTimer.current);
    };
  }, []);

  /** Shows why, then gives the conversation up (the pane would vanish with the message at once). */
  const leaveLater = useCallback(
    (text: string) => {
      setBanner({ kind: 'error', text });
      // No more moves on what is going away.
      setLeaving(true);
      // A later, better worded reason replaces the text, not the time left.
      leaveTimer.current ??= setTimeout(leave, LEAVE_AFTER_MS);
    },
    [leave],
  );

  const goneText = () => {
    const name = mover.current?.name;
    if (lostTake.current) return `${name ?? 'Someone else'} took this conversation first.`;
    if (mover.current?.blacklisted) return `${name ?? 'A colleague'} sent this client to the black list.`;
    return name ? `${name} moved this conversation out of your view.` : 'This conversation moved out of your view.';
  };

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
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) leaveLater('You cannot see this conversation: it does not exist, or it is not in your view.');
      else setLoadError(messageOf(e));
    }
  }, [api, base, readClient, leaveLater]);

  const readMessages = useCallback(async () => {
    const page = await api.get<Page<Message>>(`${base}/messages?limit=${PAGE}`);
    setMessages((list) => mergeMessages(list.filter((m) => m.createdAt > (page.items[0]?.createdAt ?? '')), page.items));
    setCursor(page.nextCursor);
  }, [api, base]);

  useEffect(() => {
    void readConversation();
    readMessages().catch((e: unknown) => setLoadError(messageOf(e)));
    markRead();
  }, [readConversation, readMessages, markRead]);

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
        if (data['visible'] === false) {
          const by = data['by'] ? { ...(data['by'] as Mover), blacklisted: data['reason'] === 'blacklisted' } : undefined;
          // The echo of the caller's own move: its answer has decided, or will.
          if (by?.id === me.id) return moving.current ? undefined : leave();
          mover.current = by;
          if (!moving.current) leaveLater(goneText());
          return;
        }
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

  /**
   * A move of the conversation (`request` answers the item as it is now). A refusal (403/409…) is
   * shown as the server put it and thrown on, so a dialog stays open; either way the screen re-reads.
   * `then: 'leave'`: the move takes the conversation out of the caller's hands.
   */
  const move = async (request: () => Promise<ConversationItem | undefined>, then?: 'leave') => {
    setBusy(true);
    setBanner(undefined);
    moving.current = true;
    try {
      const item = await request();
      if (item && typeof item === 'object' && 'status' in item) setConv((old) => ({ ...old, ...item }));
      if (then === 'leave') leave();
      else void readConversation();
    } catch (e) {
      setBanner({ kind: 'error', text: messageOf(e) });
      void readConversation();
      throw e;
    } finally {
      moving.current = false;
      setBusy(false);
    }
  };

  /** D7: a take lost to a colleague says so, then the pane gives the conversation up. */
  const take = async () => {
    setBusy(true);
    setBanner(undefined);
    moving.current = true;
    try {
      setConv(await api.post<ConversationItem>(`${base}/take`));
      void readConversation();
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        lostTake.current = true;
        // The answer names the winner when the stream has not yet.
        mover.current ??= e.extra['takenBy'] as Mover | undefined;
        leaveLater(goneText());
      }
      else {
        setBanner({ kind: 'error', text: messageOf(e) });
        void readConversation();
      }
    } finally {
      moving.current = false;
      setBusy(false);
    }
  };

  const addMessage = useCallback((message: Message) => setMessages((list) => mergeMessages(list, [message])), []);

  return { conv, client, setClient, messages, setMessages, addMessage, hasOlder: cursor !== null, loadingOlder, loadOlder, loadError, banner, setBanner, busy: busy || leaving, move, take };
}
