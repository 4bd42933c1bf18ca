import { useCallback, useEffect, useRef } from 'react';
import type { ConversationItem } from '../api/types';
import type { StreamFrame } from '../live/stream';
import { useStreamFrames } from '../session';
import { isMuted, notificationOf, notifyPermission } from './notifications';

/**
 * Shows a desktop notification for each new client message of Unassigned or my inbox while this
 * tab is hidden (with permission, unless muted); a click opens that conversation. Answers
 * `remember`, for conversations opened from elsewhere than the list (search).
 */
export function useDesktopNotifications(items: ConversationItem[], meId: string, onOpen: (conversationId: string) => void) {
  /** The newest state of every conversation the stream or a list told about. */
  const known = useRef(new Map<string, ConversationItem>());
  const latestOnOpen = useRef(onOpen);
  latestOnOpen.current = onOpen;

  useEffect(() => {
    for (const item of items) if (!known.current.has(item.id)) known.current.set(item.id, item);
  }, [items]);

  useStreamFrames(['conversation.updated', 'message.created'], (frame: StreamFrame) => {
    if (frame.type === 'conversation.updated') {
      const data = frame.data as ConversationItem & { visible?: boolean };
      if (data.visible === false) known.current.delete(data.id);
      else known.current.set(data.id, data);
      return;
    }
    if (document.visibilityState !== 'hidden' || notifyPermission() !== 'granted' || isMuted()) return;
    const note = notificationOf(frame, known.current.get((frame.data as { conversationId: string }).conversationId), meId);
    if (!note) return;
    const shown = new Notification(note.title, { body: note.body, tag: note.conversationId });
    shown.onclick = () => {
      window.focus();
      latestOnOpen.current(note.conversationId);
      shown.close();
    };
  });

  return useCallback((item: ConversationItem) => known.current.set(item.id, { ...(known.current.get(item.id) ?? {}), ...item }), []);
}
