import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import type { Api } from '../api/client';
import type { Group, Message, OperatorSummary, Presence, Tag } from '../api/types';
import { useStreamFrames } from '../session';
import { Dialog, FormActions } from './Dialog';
import { describeLogEntry, type LogEntry } from './log-entry';
import { fullTime, messageOf, messageTime, recipientsOf } from './util';

/** D21: the operators the server lets the caller pick, with their presence. */
export function AssignOperatorDialog({ api, currentId, onAssign, onClose }: { api: Api; currentId: string | undefined; onAssign: (operatorId: string) => Promise<void>; onClose: () => void }) {
  const [operators, setOperators] = useState<OperatorSummary[]>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [filter, setFilter] = useState('');

  useEffect(() => {
    api
      .get<{ items: OperatorSummary[] }>('/operators')
      .then((page) => setOperators(page.items))
      .catch((e: unknown) => setError(messageOf(e)));
  }, [api]);

  useStreamFrames(['presence.updated'], (frame) => {
    const { operatorId, presence } = frame.data as { operatorId: string; presence: Presence };
    setOperators((list) => list?.map((o) => (o.id === operatorId ? { ...o, presence } : o)));
  });

  const shown = (operators ?? []).filter((o) => o.active !== false && `${o.name} ${o.email ?? ''}`.toLowerCase().includes(filter.trim().toLowerCase()));
  const pick = async (id: string) => {
    setBusy(true);
    setError(undefined);
    try {
      await onAssign(id);
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
    }
  };

  return (
    <Dialog title="Assign to operator" onClose={onClose}>
      <label className="cv-field">
        Find operator
        <input value={filter} onChange={(e) => setFilter(e.target.value)} />
      </label>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!operators && !error && <p className="cv-muted">Loading operators…</p>}
      {operators && shown.length === 0 && <p className="cv-muted">No operator you may assign to matches.</p>}
      <ul className="cv-choices">
        {shown.map((o) => (
          <li key={o.id}>
            <button type="button" disabled={busy || o.id === currentId} onClick={() => void pick(o.id)}>
              <span className={`presence presence-${o.presence ?? 'offline'}`} role="img" aria-label={o.presence ?? 'offline'} title={o.presence ?? 'offline'} />
              <span className="cv-wrap" dir="auto">
                {o.name}
              </span>
              {o.email && <span className="cv-muted cv-ellipsis">{o.email}</span>}
              {o.id === currentId && <span className="cv-muted">(assigned now)</span>}
            </button>
          </li>
        ))}
      </ul>
    </Dialog>
  );
}

/** D22: to Unassigned of another group. */
/** D22. Lists the groups as they are now (one made since login included), those known at login meanwhile. */
export function AssignGroupDialog({ api, knownGroups, currentId, onAssign, onClose }: { api: Api; knownGroups: Group[]; currentId: string; onAssign: (groupId: string) => Promise<void>; onClose: () => void }) {
  const [groups, setGroups] = useState(knownGroups);
  const [groupId, setGroupId] = useState(knownGroups.find((g) => g.id !== currentId)?.id ?? '');
  useEffect(() => {
    let live = true;
    api
      .get<{ items: Group[] }>('/groups')
      .then((answer) => {
        if (!live) return;
        setGroups(answer.items);
        setGroupId((chosen) => chosen || (answer.items.find((g) => g.id !== currentId)?.id ?? ''));
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [api, currentId]);
  const ids = useId();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  return (
    <Dialog title="Assign to group" onClose={onClose}>
      <form
        className="cv-form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (!groupId) return;
          setBusy(true);
          setError(undefined);
          try {
            await onAssign(groupId);
          } catch (err) {
            setError(messageOf(err));
            setBusy(false);
          }
        }}
      >
        {groups.length === 0 ? (
          <p className="cv-muted">There are no groups to choose from.</p>
        ) : (
          <div className="cv-field">
            <label htmlFor={`${ids}-group`}>Group</label>
            <select id={`${ids}-group`} value={groupId} onChange={(e) => setGroupId(e.target.value)}>
              {groups.map((g) => (
                <option key={g.id} value={g.id} disabled={g.id === currentId}>
                  {g.name}
                  {g.id === currentId ? ' (current)' : ''}
                </option>
              ))}
            </select>
          </div>
        )}
        <p className="cv-muted">The conversation goes to Unassigned of that group.</p>
        <FormActions error={error} onCancel={onClose} disabled={busy || !groupId} submit="Assign" />
      </form>
    </Dialog>
  );
}

type Transcript = { id: string; status: 'queued' | 'sent' | 'failed'; error?: string; refusedRecipients?: string[] };

const browserZone = (): string => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
};
const zones = (): string[] => {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  const list = intl.supportedValuesOf?.('timeZone') ?? [];
  const here = browserZone();
  return [...new Set(['UTC', here, ...list])];
};

/** D23: whole conversation or the selected messages; then its status until it is sent or failed. */
export function EmailDialog({ api, conversationId, selectedIds, defaultSubject, onClose }: { api: Api; conversationId: string; selectedIds: string[]; defaultSubject: string; onClose: () => void }) {
  const [to, setTo] = useState('');
  const [subject, setSubject] = useState(defaultSubject);
  const [scope, setScope] = useState<'all' | 'selected'>(selectedIds.length > 0 ? 'selected' : 'all');
  const [timeZone, setTimeZone] = useState(browserZone);
  const [includeNotes, setIncludeNotes] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [transcript, setTranscript] = useState<Transcript>();
  const zoneList = useMemo(zones, []);
  const ids = useId();

  useEffect(() => {
    if (!transcript || transcript.status !== 'queued') return;
    const timer = setTimeout(() => {
      api
        .get<Transcript>(`/transcripts/${transcript.id}`)
        .then(setTranscript)
        .catch((e: unknown) => setError(messageOf(e)));
    }, 1500);
    return () => clearTimeout(timer);
  }, [api, transcript]);

  const submit = async () => {
    const { addresses: recipients, bad } = recipientsOf(to);
    if (bad) return setError(`“${bad}” is not an email address`);
    if (recipients.length === 0) return setError('Give the address to send to');
    if (!subject.trim()) return setError('Give a subject');
    setBusy(true);
    setError(undefined);
    try {
      const body = {
        to: recipients.length === 1 ? recipients[0] : recipients,
        subject: subject.trim(),
        timeZone,
        includeNotes,
        ...(scope === 'selected' ? { messageIds: selectedIds } : {}),
      };
      setTranscript(await api.post<Transcript>(`/conversations/${conversationId}/transcript`, body));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title="Send to Email" onClose={onClose}>
      {transcript ? (
        <div className="cv-form">
          <p role="status" className={`cv-transcript cv-transcript-${transcript.status}`}>
            {transcript.status === 'queued' && 'Queued: the mail is on its way…'}
            {transcript.status === 'sent' && (transcript.refusedRecipients?.length ? `Sent, but the mail server refused ${transcript.refusedRecipients.join(', ')}.` : 'Sent.')}
            {transcript.status === 'failed' && `Failed: ${transcript.error ?? 'the mail could not be sent'}`}
          </p>
          {error && (
            <p role="alert" className="error">
              {error}
            </p>
          )}
          <div className="cv-dialog-actions">
            <button type="button" className="primary" onClick={onClose} autoFocus>
              Close
            </button>
          </div>
        </div>
      ) : (
        <form
          className="cv-form"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <label className="cv-field">
            To
            <input type="text" inputMode="email" value={to} onChange={(e) => setTo(e.target.value)} placeholder="name@example.com" autoFocus />
          </label>
          <label className="cv-field">
            Subject
            <input value={subject} maxLength={200} dir="auto" onChange={(e) => setSubject(e.target.value)} />
          </label>
          <fieldset className="cv-fieldset">
            <legend>Messages</legend>
            <label>
              <input type="radio" name={`${ids}-scope`} checked={scope === 'all'} onChange={() => setScope('all')} /> Whole conversation
            </label>
            <label>
              <input type="radio" name={`${ids}-scope`} checked={scope === 'selected'} disabled={selectedIds.length === 0} onChange={() => setScope('selected')} /> Selected messages (
              {selectedIds.length})
            </label>
          </fieldset>
          <div className="cv-field">
            <label htmlFor={`${ids}-zone`}>Time zone</label>
            <select id={`${ids}-zone`} value={timeZone} onChange={(e) => setTimeZone(e.target.value)}>
              {zoneList.map((z) => (
                <option key={z} value={z}>
                  {z}
                </option>
              ))}
            </select>
          </div>
          <label>
            <input type="checkbox" checked={includeNotes} onChange={(e) => setIncludeNotes(e.target.checked)} /> Include internal notes
          </label>
          <FormActions error={error} onCancel={onClose} disabled={busy} submit="Send conversation" />
        </form>
      )}
    </Dialog>
  );
}

/** D24: one tag, picked from the list or created by typing, on the selected messages. */
export function TagDialog({ api, conversationId, selectedIds, onTagged, onClose }: { api: Api; conversationId: string; selectedIds: string[]; onTagged: (tag: Tag, messages: Message[]) => void; onClose: () => void }) {
  const [name, setName] = useState('');
  const [tags, setTags] = useState<Tag[]>([]);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    const prefix = name.trim();
    const timer = setTimeout(() => {
      api
        .get<{ items: Tag[]; nextCursor?: string | null }>(`/tags${prefix ? `?prefix=${encodeURIComponent(prefix)}` : ''}`)
        .then((page) => {
          if (!live) return;
          setTags(page.items);
          setMore(Boolean(page.nextCursor));
        })
        .catch((e: unknown) => live && setError(messageOf(e)));
    }, 120);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, name]);

  const wanted = name.trim().replace(/\s+/g, ' ');
  const shown = tags.filter((t) => t.name.toLowerCase().startsWith(wanted.toLowerCase()));
  const exact = shown.find((t) => t.name.toLowerCase() === wanted.toLowerCase());

  const apply = async (body: { tagId: string } | { tagName: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      const answer = await api.post<{ tag: Tag; items: Message[] }>(`/conversations/${conversationId}/tags`, { messageIds: selectedIds, ...body });
      onTagged(answer.tag, answer.items ?? []);
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
    }
  };

  return (
    <Dialog title="Add Tag" onClose={onClose}>
      <form
        className="cv-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!wanted) return;
          void apply(exact ? { tagId: exact.id } : { tagName: wanted });
        }}
      >
        <p className="cv-muted">
          {selectedIds.length} message{selectedIds.length === 1 ? '' : 's'} selected.
        </p>
        <label className="cv-field">
          Tag
          <input value={name} maxLength={50} dir="auto" autoFocus onChange={(e) => setName(e.target.value)} placeholder="Type to find or create a tag" />
        </label>
        <ul className="cv-choices" aria-label="Tags">
          {shown.map((t) => (
            <li key={t.id}>
              <button type="button" disabled={busy} onClick={() => void apply({ tagId: t.id })}>
                <span className="cv-tag" dir="auto">
                  {t.name}
                </span>
              </button>
            </li>
          ))}
          {wanted && !exact && (
            <li>
              <button type="button" disabled={busy} onClick={() => void apply({ tagName: wanted })}>
                Create tag “<span dir="auto">{wanted}</span>”
              </button>
            </li>
          )}
        </ul>
        {more && <p className="cv-muted">More tags than these: type to narrow.</p>}
        <FormActions error={error} onCancel={onClose} disabled={busy || !wanted} submit={exact ? 'Add tag' : 'Create and add'} />
      </form>
    </Dialog>
  );
}

export function ConfirmDialog({ title, text, confirm, onConfirm, onClose }: { title: string; text: string; confirm: string; onConfirm: () => Promise<void>; onClose: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  return (
    <Dialog title={title} onClose={onClose}>
      <p dir="auto">{text}</p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="cv-dialog-actions">
        <button type="button" onClick={onClose} autoFocus>
          Cancel
        </button>
        <button
          type="button"
          className="primary danger"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            setError(undefined);
            try {
              await onConfirm();
            } catch (e) {
              setError(messageOf(e));
              setBusy(false);
            }
          }}
        >
          {confirm}
        </button>
      </div>
    </Dialog>
  );
}

/** D12: every movement of the conversation, oldest first: who moved it where, and when; the latest page first, earlier ones on demand. */
export function LogDialog({ api, conversationId, onClose }: { api: Api; conversationId: string; onClose: () => void }) {
  const [entries, setEntries] = useState<LogEntry[]>();
  const [earlier, setEarlier] = useState<string | null>(null);
  const [error, setError] = useState<string>();

  const load = useCallback(
    (before?: string) =>
      api
        .get<{ items: LogEntry[]; nextCursor?: string | null }>(`/conversations/${conversationId}/log${before ? `?before=${encodeURIComponent(before)}` : ''}`)
        .then((page) => {
          setEntries((shown) => [...page.items, ...(before ? (shown ?? []) : [])]);
          setEarlier(page.nextCursor ?? null);
        })
        .catch((e: unknown) => setError(messageOf(e))),
    [api, conversationId],
  );

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <Dialog title="Conversation log" onClose={onClose}>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!entries && !error && <p className="cv-muted">Loading the log…</p>}
      {earlier && (
        <button type="button" className="cv-link" onClick={() => void load(earlier)}>
          Show earlier movements
        </button>
      )}
      {entries && (
        <ol className="cv-log" aria-label="Movements, oldest first">
          {entries.map((entry, i) => (
            <li key={i}>
              <time dateTime={entry.at} title={fullTime(entry.at)}>
                {messageTime(entry.at)}
              </time>{' '}
              <span dir="auto">{describeLogEntry(entry)}</span>
            </li>
          ))}
        </ol>
      )}
      <div className="cv-dialog-actions">
        <button type="button" className="primary" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
