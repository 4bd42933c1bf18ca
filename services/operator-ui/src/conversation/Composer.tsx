import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { ApiError, type Api } from '../api/client';
import type { ChannelType, Message, Page } from '../api/types';
import { fileAccept } from '@relaydesk/contracts/attachment-rules';
import { refusalOf } from './attachments';
import { EmojiPicker } from './EmojiPicker';
import { useSession } from '../session';
import { useDraft } from './use-draft';
import { messageOf, newKey, refused } from './util';

export type CannedResponse = { id: string; title: string; text: string; scope: 'global' | 'personal'; ownerId?: string };

type Mode = 'reply' | 'note';
/** The send in flight or last failed without a clear refusal: a retry reuses its key (D15). */
type Attempt = { key: string; text: string; mode: Mode };
type FileSend = { file: File; key: string; progress: number; error?: string; failed?: boolean };

/** What the server takes in one message or note (D33). */
const MAX_TEXT = 10_000;

/** `/` or `\` at the very start, then what is typed after it (D16). */
const slashQuery = (text: string): string | undefined => /^[/\\]([^\n]*)$/.exec(text)?.[1];

const matches = (r: CannedResponse, q: string): boolean => {
  const query = q.trim().toLowerCase();
  if (!query) return true;
  const words = (s: string) => s.toLowerCase().split(/[\s\p{P}]+/u);
  return [r.title, r.text].some((s) => s.toLowerCase().startsWith(query) || words(s).some((w) => w.startsWith(query)));
};

/**
 * The reply box of the conversation's holder (D8): Send or Ctrl/Cmd+Enter, `/` or `\` for canned
 * responses, emoji, one file with progress, and note mode (D18). Each message gets one
 * Idempotency-Key, kept across retries, so a retry after a lost answer is never a second message.
 */
export function Composer({
  api,
  conversationId,
  channel,
  onSent,
  notesOnly = false,
}: {
  api: Api;
  conversationId: string;
  channel: ChannelType;
  onSent: (message: Message) => void;
  /** D18: for those who may see the conversation but not reply in it. */
  notesOnly?: boolean;
}) {
  const { me } = useSession();
  const { draft, setDraft, latest } = useDraft(me.id, conversationId);
  const text = draft.text;
  const mode: Mode = notesOnly || draft.note ? 'note' : 'reply';
  // What is typed where only notes may be written stays a note, also if the composer later allows replies.
  const setText = useCallback((next: string) => setDraft({ text: next, note: notesOnly || latest().note }), [setDraft, latest, notesOnly]);
  const setMode = (next: Mode) => setDraft({ ...latest(), note: next === 'note' });
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const attempt = useRef<Attempt>(undefined);
  const busy = useRef(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const [fileSend, setFileSend] = useState<FileSend>();
  const [fileError, setFileError] = useState<string>();
  const ids = useId();

  // The canned-response picker.
  const query = slashQuery(text);
  const [dismissed, setDismissed] = useState(false);
  const [canned, setCanned] = useState<CannedResponse[]>([]);
  const [cannedError, setCannedError] = useState<string>();
  const [active, setActive] = useState(0);
  const shown = query === undefined ? [] : canned.filter((r) => matches(r, query));
  const pickerOpen = query !== undefined && !dismissed;

  useEffect(() => {
    if (query === undefined) {
      setDismissed(false);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      api
        .get<Page<CannedResponse>>(`/canned-responses${query.trim() ? `?q=${encodeURIComponent(query.trim())}` : ''}`)
        .then((page) => {
          if (!live) return;
          setCanned(page.items);
          setCannedError(undefined);
        })
        .catch((e: unknown) => live && setCannedError(messageOf(e)));
    }, 120);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, query]);

  useEffect(() => setActive(0), [query]);

  const insertCanned = (r: CannedResponse) => {
    setText(r.text);
    setDismissed(false);
    requestAnimationFrame(() => {
      const el = area.current;
      if (!el) return;
      el.focus();
      el.setSelectionRange(r.text.length, r.text.length);
    });
  };

  const insertAtCursor = (piece: string) => {
    const el = area.current;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    const next = text.slice(0, start) + piece + text.slice(end);
    setText(next);
    requestAnimationFrame(() => {
      if (!el) return;
      el.focus();
      el.setSelectionRange(start + piece.length, start + piece.length);
    });
  };

  const send = useCallback(async () => {
    const typed = text;
    const body = typed.trim();
    if (!body || body.length > MAX_TEXT || busy.current) return;
    busy.current = true;
    setSending(true);
    setError(undefined);
    setNotice(undefined);
    const retry = attempt.current?.mode === mode ? attempt.current : undefined;
    const current: Attempt = { key: retry?.key ?? newKey(), text: body, mode };
    attempt.current = current;
    try {
      const path = `/conversations/${conversationId}/${mode === 'note' ? 'notes' : 'messages'}`;
      const message = await api.post<Message>(path, { text: body }, { 'Idempotency-Key': current.key });
      attempt.current = undefined;
      onSent(message);
      if (retry && retry.text !== body && message.text !== body) {
        // The lost first try had reached the server: it answered that message again.
        setNotice('Your earlier version had already been sent; the edited text was not. Send it again if it is still needed.');
      } else {
        // What was typed while it was sending stays.
        const now = latest().text;
        setText(now === typed ? '' : now.startsWith(typed) ? now.slice(typed.length).trimStart() : now);
      }
    } catch (e) {
      if (refused(e)) attempt.current = undefined;
      const lost = e instanceof ApiError && e.status === 0;
      setError(
        refused(e)
          ? `Not sent: ${messageOf(e)}`
          : `Not sent: ${lost ? 'the connection was lost' : messageOf(e).replace(/\.$/, '')}. Your text is kept; press Send to try again (it will not be sent twice).`,
      );
    } finally {
      busy.current = false;
      setSending(false);
    }
  }, [api, conversationId, mode, onSent, text, latest, setText]);

  const upload = async (next: FileSend) => {
    setFileSend({ ...next, progress: 0, error: undefined, failed: false });
    const form = new FormData();
    form.append('file', next.file, next.file.name);
    try {
      const message = await api.upload<Message>(`/conversations/${conversationId}/messages`, form, { 'Idempotency-Key': next.key }, (done) =>
        setFileSend((f) => (f && f.key === next.key ? { ...f, progress: done } : f)),
      );
      setFileSend(undefined);
      onSent(message);
    } catch (e) {
      // A refusal stored nothing: that file is dropped. Otherwise a retry reuses the key.
      if (refused(e)) {
        setFileSend(undefined);
        setFileError(`"${next.file.name}" was not sent: ${messageOf(e)}`);
      } else setFileSend({ ...next, error: `"${next.file.name}" was not sent: ${messageOf(e)}`, failed: true });
    }
  };

  const onFile = (file: File | undefined) => {
    if (fileInput.current) fileInput.current.value = '';
    if (!file) return;
    setFileError(undefined);
    const refusal = refusalOf(channel, file);
    if (refusal) {
      setFileError(refusal);
      return;
    }
    void upload({ file, key: newKey(), progress: 0 });
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void send();
      return;
    }
    if (!pickerOpen) return;
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      setDismissed(true);
    } else if (e.key === 'ArrowDown' && shown.length > 0) {
      e.preventDefault();
      setActive((i) => (i + 1) % shown.length);
    } else if (e.key === 'ArrowUp' && shown.length > 0) {
      e.preventDefault();
      setActive((i) => (i - 1 + shown.length) % shown.length);
    } else if (e.key === 'Enter' && !e.shiftKey) {
      const chosen = shown[Math.min(active, shown.length - 1)];
      if (chosen) {
        e.preventDefault();
        insertCanned(chosen);
      }
    }
  };

  const uploading = fileSend !== undefined && !fileSend.failed;
  const listId = `${ids}-canned`;
  const optionId = (i: number) => `${ids}-canned-${i}`;

  return (
    <form
      className={`cv-composer${mode === 'note' ? ' cv-composer-note' : ''}`}
      aria-label="Reply"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <div className="cv-composer-modes" role="group" aria-label="Write">
        {!notesOnly && (
          <>
            <button type="button" aria-pressed={mode === 'reply'} onClick={() => setMode('reply')}>
              Reply to client
            </button>
            <button type="button" aria-pressed={mode === 'note'} onClick={() => setMode('note')}>
              Internal note
            </button>
          </>
        )}
        {mode === 'note' && <span className="cv-muted">Notes are seen by operators only, never sent to the client.</span>}
      </div>

      {pickerOpen && (
        <div className="cv-picker">
          {cannedError && <p className="error">{cannedError}</p>}
          {!cannedError && shown.length === 0 && <p className="cv-muted">{query.trim() ? `No canned response starts with “${query.trim()}”` : 'No canned responses yet: add them under Canned responses'}</p>}
          <ul role="listbox" id={listId} aria-label="Canned responses">
            {shown.map((r, i) => (
              <li
                key={r.id}
                id={optionId(i)}
                role="option"
                aria-selected={i === active}
                className={i === active ? 'active' : ''}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => insertCanned(r)}
              >
                <strong dir="auto">{r.title}</strong>
                {r.scope === 'global' && <span className="cv-badge">global</span>}
                <span className="cv-picker-text" dir="auto">
                  {r.text}
                </span>
              </li>
            ))}
          </ul>
          <p className="cv-muted cv-hint">↑ ↓ to choose, Enter to insert, Esc to close</p>
        </div>
      )}

      <textarea
        ref={area}
        value={text}
        dir="auto"
        rows={3}
        aria-label={mode === 'note' ? 'Internal note' : 'Message to the client'}
        placeholder={mode === 'note' ? 'Write a note for colleagues…' : 'Write a reply… ( / or \\ for canned responses, Ctrl+Enter to send)'}
        role={pickerOpen ? 'combobox' : undefined}
        aria-expanded={pickerOpen ? true : undefined}
        aria-controls={pickerOpen ? listId : undefined}
        aria-autocomplete={pickerOpen ? 'list' : undefined}
        aria-activedescendant={pickerOpen && shown.length > 0 ? optionId(Math.min(active, shown.length - 1)) : undefined}
        onChange={(e) => {
          setText(e.target.value);
          setNotice(undefined);
        }}
        onKeyDown={onKeyDown}
      />
      {text.length > MAX_TEXT * 0.9 && (
        <p className={text.trim().length > MAX_TEXT ? 'error' : 'cv-muted'} aria-live="polite">
          {text.trim().length.toLocaleString('en')} of {MAX_TEXT.toLocaleString('en')} characters
          {text.trim().length > MAX_TEXT ? `: shorten it by ${(text.trim().length - MAX_TEXT).toLocaleString('en')} to send` : ''}
        </p>
      )}

      {error && (
        <p role="alert" className="error cv-composer-error">
          {error}
        </p>
      )}
      {notice && (
        <p role="status" className="cv-notice">
          {notice}
        </p>
      )}
      {fileError && (
        <p role="alert" className="error">
          {fileError}
        </p>
      )}
      {fileSend && (
        <div className="cv-upload">
          <span className="cv-file-name" dir="auto">
            {fileSend.file.name}
          </span>
          <progress max={1} value={fileSend.progress} aria-label={`Uploading ${fileSend.file.name}`} />
          {fileSend.failed && (
            <>
              <span role="alert" className="error">
                {fileSend.error}
              </span>
              <button type="button" onClick={() => void upload(fileSend)}>
                Retry
              </button>
              <button type="button" onClick={() => setFileSend(undefined)}>
                Discard
              </button>
            </>
          )}
        </div>
      )}

      <div className="cv-composer-bar">
        <EmojiPicker onPick={insertAtCursor} onClose={() => area.current?.focus()} />
        {mode === 'reply' && (
          <>
            <input ref={fileInput} id={`${ids}-file`} type="file" accept={fileAccept(channel)} className="cv-visually-hidden" tabIndex={-1} aria-label="Attach file" onChange={(e) => onFile(e.target.files?.[0])} disabled={uploading} />
            <button type="button" onClick={() => fileInput.current?.click()} disabled={uploading}>
              <span aria-hidden="true">📎</span> Attach file
            </button>
          </>
        )}
        <span className="cv-spacer" />
        <button type="submit" className="primary" disabled={sending || !text.trim() || text.trim().length > MAX_TEXT}>
          {sending ? 'Sending…' : mode === 'note' ? 'Add internal note' : 'Send'}
        </button>
      </div>
    </form>
  );
}
