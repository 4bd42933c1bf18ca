import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import type { Page } from '../api/types';
import { useSession } from '../session';
import { messageOf, queryOf, useDebounced } from './common';
import './pages.css';

/** GET /canned-responses items (API.md, D16). */
export type CannedResponse = { id: string; title: string; text: string; scope: 'global' | 'personal'; ownerId: string; createdAt?: string; updatedAt?: string };

const TITLE_MAX = 100;
const TEXT_MAX = 4000;
const chars = (s: string) => [...s].length;

/** D16: global (super_admin) and personal canned responses, title and text. */
export function CannedResponsesPage() {
  const { api, me } = useSession();
  const [q, setQ] = useState('');
  const query = useDebounced(q.trim(), 250);
  const [items, setItems] = useState<CannedResponse[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [listError, setListError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [editing, setEditing] = useState<string>();
  // After an edit ends, focus goes back to the Edit button of that response.
  const [returnTo, setReturnTo] = useState<string>();
  const stopEditing = (id: string) => {
    setEditing(undefined);
    setReturnTo(id);
  };
  const request = useRef(0);

  const load = useCallback(
    async (cursor?: string) => {
      const mine = ++request.current;
      setLoading(true);
      setListError(undefined);
      setNotice(undefined);
      try {
        const page = await api.get<Page<CannedResponse>>(`/canned-responses${queryOf({ q: query, limit: 50, cursor })}`);
        if (mine !== request.current) return;
        setItems((current) => (cursor ? [...current, ...page.items.filter((i) => !current.some((c) => c.id === i.id))] : page.items));
        setNextCursor(page.nextCursor);
      } catch (e) {
        if (mine === request.current) setListError(messageOf(e));
      } finally {
        if (mine === request.current) setLoading(false);
      }
    },
    [api, query],
  );

  useEffect(() => void load(), [load]);

  const mayChange = (item: CannedResponse) => item.ownerId === me.id || (me.role === 'super_admin' && item.scope === 'global');

  const created = (item: CannedResponse) => {
    setItems((current) => [item, ...current.filter((c) => c.id !== item.id)]);
    setNotice(`Added “${item.title}”.`);
  };
  const changed = (item: CannedResponse) => {
    setItems((current) => current.map((c) => (c.id === item.id ? item : c)));
    stopEditing(item.id);
    setNotice(`Saved “${item.title}”.`);
  };
  const removed = (item: CannedResponse, words?: string) => {
    setItems((current) => current.filter((c) => c.id !== item.id));
    setEditing((current) => (current === item.id ? undefined : current));
    setNotice(words ?? `Deleted “${item.title}”.`);
  };

  return (
    <main className="page canned-page" aria-labelledby="canned-heading">
      <h1 id="canned-heading">Canned responses</h1>
      <p className="page-hint">
        Type <kbd>/</kbd> or <kbd>\</kbd> in the composer, then the start of a title or text, to insert one.{' '}
        {me.role === 'super_admin' ? 'Responses you add are global: every operator sees them.' : 'Responses you add are personal: only you see them.'}
      </p>
      <CannedForm
        legend={me.role === 'super_admin' ? 'New global response' : 'New personal response'}
        submitLabel="Add response"
        onSubmit={async (body) => created(await api.post<CannedResponse>('/canned-responses', body))}
        resetAfter
      />
      <div className="canned-toolbar">
        <label className="field inline">
          <span>Find</span>
          <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Start of a title or text" maxLength={TITLE_MAX} />
        </label>
        <p role="status" className="muted" aria-live="polite">
          {notice ?? (loading ? 'Loading…' : `${items.length}${nextCursor ? '+' : ''} response${items.length === 1 ? '' : 's'}`)}
        </p>
      </div>
      {listError && (
        <p role="alert" className="error">
          {listError} <button onClick={() => void load()}>Try again</button>
        </p>
      )}
      {!loading && !listError && items.length === 0 && <p className="muted">{query ? `No canned response starts with “${query}”.` : 'No canned responses yet.'}</p>}
      <ul className="canned-list" aria-label="Canned responses">
        {items.map((item) => (
          <li key={item.id} className="canned-item">
            {editing === item.id ? (
              <CannedForm
                legend={`Edit “${item.title}”`}
                initial={item}
                submitLabel="Save"
                onSubmit={async (body) => {
                  try {
                    changed(await api.patch<CannedResponse>(`/canned-responses/${item.id}`, body));
                  } catch (e) {
                    if (e instanceof ApiError && e.status === 404) removed(item, `“${item.title}” no longer exists: ${e.message}`);
                    throw e;
                  }
                }}
                onCancel={() => stopEditing(item.id)}
              />
            ) : (
              <CannedView item={item} mayChange={mayChange(item)} focusEdit={returnTo === item.id} onEdit={() => setEditing(item.id)} onDeleted={removed} />
            )}
          </li>
        ))}
      </ul>
      {nextCursor && (
        <button className="load-more" disabled={loading} onClick={() => void load(nextCursor)}>
          {loading ? 'Loading…' : 'Show more'}
        </button>
      )}
    </main>
  );
}

function CannedView({
  item,
  mayChange,
  focusEdit,
  onEdit,
  onDeleted,
}: {
  item: CannedResponse;
  mayChange: boolean;
  focusEdit: boolean;
  onEdit: () => void;
  onDeleted: (item: CannedResponse, words?: string) => void;
}) {
  const { api } = useSession();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const headingId = useId();

  async function remove() {
    setBusy(true);
    setError(undefined);
    try {
      await api.delete(`/canned-responses/${item.id}`);
      onDeleted(item);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) onDeleted(item, `“${item.title}” no longer exists: ${e.message}`);
      else {
        setError(messageOf(e));
        setBusy(false);
        setConfirming(false);
      }
    }
  }

  return (
    <article aria-labelledby={headingId}>
      <header className="canned-head">
        <h2 id={headingId} className="canned-title" dir="auto">
          {item.title}
        </h2>
        <span className={`badge badge-${item.scope}`}>{item.scope === 'global' ? 'Global' : 'Personal'}</span>
      </header>
      <p className="canned-text" dir="auto">
        {item.text}
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {mayChange && (
        <div className="row-actions">
          {confirming ? (
            <>
              <span>Delete this response?</span>
              <button className="danger" disabled={busy} onClick={() => void remove()} autoFocus>
                {busy ? 'Deleting…' : 'Yes, delete'}
              </button>
              <button disabled={busy} onClick={() => setConfirming(false)}>
                Keep it
              </button>
            </>
          ) : (
            <>
              <button onClick={onEdit} aria-label={`Edit “${item.title}”`} autoFocus={focusEdit}>
                Edit
              </button>
              <button onClick={() => setConfirming(true)} aria-label={`Delete “${item.title}”`}>
                Delete
              </button>
            </>
          )}
        </div>
      )}
    </article>
  );
}

type CannedBody = { title: string; text: string };

function CannedForm({
  legend,
  initial,
  submitLabel,
  onSubmit,
  onCancel,
  resetAfter,
}: {
  legend: string;
  initial?: CannedBody;
  submitLabel: string;
  onSubmit: (body: Partial<CannedBody>) => Promise<void>;
  onCancel?: () => void;
  resetAfter?: boolean;
}) {
  const [title, setTitle] = useState(initial?.title ?? '');
  const [text, setText] = useState(initial?.text ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const id = useId();

  const problem =
    title.trim() === '' || text.trim() === ''
      ? 'Give a title and a text.'
      : chars(title.trim()) > TITLE_MAX
        ? `The title is longer than ${TITLE_MAX} characters.`
        : chars(text) > TEXT_MAX
          ? `The text is longer than ${TEXT_MAX} characters.`
          : undefined;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (problem) return setError(problem);
    const body: Partial<CannedBody> = initial
      ? { ...(title.trim() !== initial.title ? { title: title.trim() } : {}), ...(text !== initial.text ? { text } : {}) }
      : { title: title.trim(), text };
    if (initial && Object.keys(body).length === 0) return onCancel?.();
    setBusy(true);
    setError(undefined);
    try {
      await onSubmit(body);
      if (resetAfter) {
        setTitle('');
        setText('');
      }
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="canned-form" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-legend`} onKeyDown={(e) => e.key === 'Escape' && onCancel?.()}>
      <fieldset disabled={busy}>
        <legend id={`${id}-legend`}>{legend}</legend>
        <label className="field">
          <span>Title</span>
          <input value={title} onChange={(e) => setTitle(e.target.value)} required autoFocus={!!initial} dir="auto" />
        </label>
        <label className="field">
          <span>
            Text <small className="muted">({chars(text)}/{TEXT_MAX})</small>
          </span>
          <textarea value={text} onChange={(e) => setText(e.target.value)} required rows={initial ? 4 : 3} dir="auto" />
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <div className="row-actions">
          <button type="submit" className="primary">
            {busy ? 'Saving…' : submitLabel}
          </button>
          {onCancel && (
            <button type="button" onClick={onCancel}>
              Cancel
            </button>
          )}
        </div>
      </fieldset>
    </form>
  );
}
