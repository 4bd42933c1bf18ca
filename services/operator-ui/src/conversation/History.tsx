import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { Api } from '../api/client';
import type { Attachment, Message } from '../api/types';
import { fetchBlob, fullTime, humanSize, messageOf, messageTime } from './util';

type Props = {
  api: Api;
  messages: Message[];
  hasOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  selected: Set<string>;
  onToggle: (id: string) => void;
  /** Selecting messages (for tags and email) is offered. */
  selectable: boolean;
  /** Who the client's messages are from. */
  clientName: string;
  /** Sends a text the channel did not deliver once more (only the holder may reply). */
  onResend?: (message: Message) => void;
};

const deliveryLabels: Record<NonNullable<Message['deliveryStatus']>, string> = {
  pending: 'Sending',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Not delivered',
};
const deliveryMarks: Record<NonNullable<Message['deliveryStatus']>, string> = { pending: '🕓', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '!' };

/** The conversation's messages, oldest first; scrolling to the top loads older pages. */
export function History({ api, messages, hasOlder, loadingOlder, onLoadOlder, selected, onToggle, selectable, clientName, onResend }: Props) {
  const box = useRef<HTMLOListElement>(null);
  const atBottom = useRef(true);
  const anchor = useRef<{ firstId: string | undefined; height: number; top: number }>(undefined);
  const firstId = messages[0]?.id;
  const lastId = messages[messages.length - 1]?.id;
  // One message checkbox is a Tab stop (the last one focused, else the newest); arrows move between them.
  const [tabStop, setTabStop] = useState<string>();
  const selectableIds = messages.filter((m) => m.kind !== 'event').map((m) => m.id);
  const current = tabStop && selectableIds.includes(tabStop) ? tabStop : selectableIds[selectableIds.length - 1];

  // Older pages are put above without moving what the operator is reading; new messages at the
  // bottom scroll into view when he was at the bottom already.
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const before = anchor.current;
    if (before && before.firstId !== firstId && before.firstId !== undefined) el.scrollTop = before.top + (el.scrollHeight - before.height);
    else if (atBottom.current) el.scrollTop = el.scrollHeight;
    anchor.current = { firstId, height: el.scrollHeight, top: el.scrollTop };
  }, [firstId, lastId, messages.length]);

  /** An image that finished loading made the history taller: stay at the bottom if we were there. */
  const onGrow = useCallback(() => {
    const el = box.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, []);

  // The composer growing (an error line, a long draft) shrinks the history: keep its end in view.
  useEffect(() => {
    const el = box.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => onGrow());
    observer.observe(el);
    return () => observer.disconnect();
  }, [onGrow]);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    anchor.current = { firstId, height: el.scrollHeight, top: el.scrollTop };
    if (el.scrollTop < 80 && hasOlder && !loadingOlder) onLoadOlder();
  };

  // A first page shorter than the box cannot be scrolled: load older ones until it fills.
  useEffect(() => {
    const el = box.current;
    if (el && hasOlder && !loadingOlder && el.scrollHeight <= el.clientHeight) onLoadOlder();
  }, [hasOlder, loadingOlder, messages.length, onLoadOlder]);

  return (
    <ol className="cv-history" ref={box} onScroll={onScroll} onKeyDown={moveBetweenCheckboxes} aria-label="Messages" tabIndex={0}>
      {hasOlder && (
        <li className="cv-older">
          <button type="button" onClick={onLoadOlder} disabled={loadingOlder}>
            {loadingOlder ? 'Loading older messages…' : 'Load older messages'}
          </button>
        </li>
      )}
      {!hasOlder && messages.length === 0 && <li className="cv-event">No messages yet</li>}
      {messages.map((m) => (
        <MessageRow
          key={m.id}
          api={api}
          message={m}
          checked={selected.has(m.id)}
          onToggle={onToggle}
          selectable={selectable}
          tabStop={m.id === current}
          onFocusCheckbox={setTabStop}
          onGrow={onGrow}
          clientName={clientName}
          onResend={onResend}
        />
      ))}
    </ol>
  );
}

/** Up and Down (Home, End) move focus between the message checkboxes. */
function moveBetweenCheckboxes(e: KeyboardEvent<HTMLOListElement>) {
  const target = e.target as HTMLElement;
  if (!target.classList.contains('cv-check') || !['ArrowUp', 'ArrowDown', 'Home', 'End'].includes(e.key)) return;
  const boxes = [...e.currentTarget.querySelectorAll<HTMLInputElement>('input.cv-check')];
  const at = boxes.indexOf(target as HTMLInputElement);
  const next = e.key === 'Home' ? 0 : e.key === 'End' ? boxes.length - 1 : at + (e.key === 'ArrowUp' ? -1 : 1);
  const to = boxes[Math.max(0, Math.min(boxes.length - 1, next))];
  e.preventDefault();
  to?.focus();
  to?.scrollIntoView?.({ block: 'nearest' });
}

type RowProps = {
  api: Api;
  message: Message;
  checked: boolean;
  onToggle: (id: string) => void;
  selectable: boolean;
  /** This message's checkbox is the history's one Tab stop. */
  tabStop: boolean;
  onFocusCheckbox: (id: string) => void;
  onGrow: () => void;
  clientName: string;
  onResend?: (message: Message) => void;
};

function MessageRow({ api, message: m, checked, onToggle, selectable, tabStop, onFocusCheckbox, onGrow, clientName, onResend }: RowProps) {
  if (m.kind === 'event') {
    return (
      <li className="cv-event" data-kind="event">
        <span dir="auto">{m.text}</span> <time dateTime={m.createdAt} title={fullTime(m.createdAt)}>{messageTime(m.createdAt)}</time>
      </li>
    );
  }
  const note = m.kind === 'note';
  const side = note ? 'note' : m.direction === 'in' ? 'in' : 'out';
  const who = m.sender.type === 'client' ? clientName : (m.sender.name ?? 'Operator');
  return (
    <li className={`cv-msg cv-msg-${side}${checked ? ' cv-selected' : ''}`} data-kind={m.kind} data-testid={`message-${m.id}`}>
      <div className="cv-bubble">
        <div className="cv-meta">
          {note && <span className="cv-note-label">Internal note</span>}
          <span className="cv-sender">{who}</span>
          <time dateTime={m.createdAt} title={fullTime(m.createdAt)}>
            {messageTime(m.createdAt)}
          </time>
          {selectable && (
            <label className="cv-select">
              <input
                type="checkbox"
                className="cv-check"
                checked={checked}
                tabIndex={tabStop ? 0 : -1}
                onFocus={() => onFocusCheckbox(m.id)}
                onChange={() => onToggle(m.id)}
                aria-label={`Select message from ${who} at ${messageTime(m.createdAt)}`}
                aria-keyshortcuts="ArrowUp ArrowDown Home End"
              />
            </label>
          )}
        </div>
        {m.text && (
          <p className="cv-text" dir="auto">
            {m.text}
          </p>
        )}
        {m.attachment && <AttachmentView api={api} attachment={m.attachment} onLoad={onGrow} />}
        {(m.tags.length > 0 || m.deliveryStatus) && (
          <div className="cv-foot">
            {m.tags.length > 0 && (
              <ul className="cv-tags" aria-label="Tags">
                {m.tags.map((t) => (
                  <li key={t.id} className="cv-tag" dir="auto">
                    {t.name}
                  </li>
                ))}
              </ul>
            )}
            {m.deliveryStatus && !note && (
              <span className={`cv-delivery cv-delivery-${m.deliveryStatus}`} title={m.deliveryError?.title ?? deliveryLabels[m.deliveryStatus]}>
                <span aria-hidden="true">{deliveryMarks[m.deliveryStatus]}</span> {deliveryLabels[m.deliveryStatus]}
                {m.deliveryStatus === 'failed' && m.deliveryError?.title && <span className="cv-delivery-error">: {m.deliveryError.title}</span>}
              </span>
            )}
            {m.deliveryStatus === 'failed' && onResend && (m.kind === 'text' || m.kind === 'file') && (
              <button type="button" className="cv-link" onClick={() => onResend(m)}>
                Send again
              </button>
            )}
          </div>
        )}
      </div>
    </li>
  );
}

/** Images inline, other files as a download link; both fetched with the token into a blob URL. */
function AttachmentView({ api, attachment: a, onLoad }: { api: Api; attachment: Attachment; onLoad: () => void }) {
  const image = /^image\/(png|jpeg|gif|webp)$/.test(a.mimeType);
  const [url, setUrl] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!image) return;
    let live = true;
    let made: string | undefined;
    fetchBlob(api, a.url)
      .then((blob) => {
        made = URL.createObjectURL(blob);
        if (live) setUrl(made);
        else URL.revokeObjectURL(made);
      })
      .catch((e: unknown) => live && setError(messageOf(e)));
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [api, a.url, image]);

  const download = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const blobUrl = URL.createObjectURL(await fetchBlob(api, a.url));
      const link = document.createElement('a');
      link.href = blobUrl;
      link.download = a.fileName;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(blobUrl), 10_000);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="cv-attachment">
      {image && url && <img src={url} alt={a.fileName} className="cv-image" onLoad={onLoad} />}
      {image && !url && !error && <span className="cv-muted">Loading image…</span>}
      <a
        href={a.url}
        className="cv-file"
        onClick={(e) => {
          e.preventDefault();
          void download();
        }}
        aria-busy={busy}
      >
        <span aria-hidden="true">📎</span> <span className="cv-file-name" dir="auto">{a.fileName}</span> <span className="cv-muted">({humanSize(a.size)})</span>
      </a>
      {error && (
        <span role="alert" className="error">
          {error}
        </span>
      )}
    </div>
  );
}
