import { useState } from 'react';
import { isMuted, notifyPermission, setMuted, type NotifyPermission } from './notifications';

/** Desktop notifications: permission is asked only from this button, never on load. */
export function NotificationsButton() {
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
