import { useEffect, useState } from 'react';
import { ApiError, type Api } from '../api/client';
import type { ChannelType } from '../api/types';
import { channelName } from './attachments';
import { messageOf } from './util';

export type ClientProfile = {
  id: string;
  name: string;
  originalName: string | null;
  channel: ChannelType;
  externalId: string;
  phone?: string | null;
  note: string | null;
  pin: { operator: { id: string; name: string }; label: string } | null;
  blacklisted: boolean;
};

/** The client's profile: rename (D17), note (D19) and the pin control with D32's labels (D30, D31). */
export function ClientPanel({ api, client, onChanged, onClose }: { api: Api; client: ClientProfile; onChanged: (client: ClientProfile) => void; onClose?: () => void }) {
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(client.name);
  const [editingNote, setEditingNote] = useState(false);
  const [note, setNote] = useState(client.note ?? '');
  /** The note as it was when editing began: when the profile shows another, a colleague changed it meanwhile. */
  const [noteBefore, setNoteBefore] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  useEffect(() => {
    if (!renaming) setName(client.name);
  }, [client.name, renaming]);
  useEffect(() => {
    if (!editingNote) setNote(client.note ?? '');
  }, [client.note, editingNote]);

  const base = `/clients/${client.id}`;
  /** Does the change, then re-reads the profile (the pin's label is the server's, per caller); also after a 409, so it shows what is true. */
  const run = async (work: () => Promise<unknown>, then?: () => void) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      onChanged(await api.get<ClientProfile>(base));
      then?.();
    } catch (e) {
      setError(messageOf(e));
      if (e instanceof ApiError && e.status === 409) onChanged(await api.get<ClientProfile>(base).catch(() => client));
    } finally {
      setBusy(false);
    }
  };

  // D32: the holder may detach; a super_admin sees "Detach (assigned to NAME)" and may detach; anyone else only sees "Pinned (NAME)".
  const pinAction = !client.pin ? 'pin' : client.pin.label.startsWith('Detach') ? 'detach' : undefined;

  return (
    <aside className="cv-client" aria-label="Client profile">
      <header className="cv-client-head">
        <h3>Client</h3>
        {onClose && (
          <button type="button" aria-label="Close client profile" onClick={onClose}>
            ×
          </button>
        )}
      </header>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <dl>
        <dt>Name</dt>
        <dd>
          {renaming ? (
            <form
              className="cv-inline-form"
              onSubmit={(e) => {
                e.preventDefault();
                if (!name.trim()) return setError('The name must not be empty');
                void run(() => api.patch(base, { name: name.trim() }), () => setRenaming(false));
              }}
              onKeyDown={(e) => {
                if (e.key === 'Escape') {
                  e.stopPropagation();
                  setRenaming(false);
                }
              }}
            >
              <input aria-label="Client name" value={name} dir="auto" maxLength={200} autoFocus onChange={(e) => setName(e.target.value)} />
              <button type="submit" className="primary" disabled={busy}>
                Save
              </button>
              <button type="button" onClick={() => setRenaming(false)}>
                Cancel
              </button>
            </form>
          ) : (
            <>
              <span className="cv-wrap" dir="auto">
                {client.name}
              </span>{' '}
              <button type="button" className="cv-link" onClick={() => setRenaming(true)}>
                Rename
              </button>
            </>
          )}
        </dd>
        <dt>Original name</dt>
        <dd className="cv-wrap" dir="auto">
          {client.originalName ?? '—'}
        </dd>
        <dt>Channel</dt>
        <dd>{channelName(client.channel)}</dd>
        {client.phone && (
          <>
            <dt>Phone</dt>
            <dd>{client.phone}</dd>
          </>
        )}
        <dt>Id on the channel</dt>
        <dd className="cv-wrap">{client.externalId}</dd>
        {client.blacklisted && (
          <>
            <dt>Blacklist</dt>
            <dd className="error">On the black list</dd>
          </>
        )}
        <dt>Note</dt>
        <dd>
          {editingNote ? (
            <form
              className="cv-note-form"
              onSubmit={(e) => {
                e.preventDefault();
                // `previous` is the note this panel shows: a colleague's newer one is refused (409) until shown here.
                void run(() => api.put(`${base}/note`, { note, previous: client.note ?? '' }), () => setEditingNote(false));
              }}
              onKeyDown={(e) => {
                if (e.key === 'Escape') {
                  e.stopPropagation();
                  setEditingNote(false);
                }
              }}
            >
              {client.note !== noteBefore && (
                <p className="cv-client-note" dir="auto">
                  <strong>Changed meanwhile by a colleague:</strong> {client.note || '(empty)'}
                </p>
              )}
              <textarea aria-label="Client note" value={note} dir="auto" rows={4} maxLength={4000} autoFocus onChange={(e) => setNote(e.target.value)} />
              <div>
                <button type="submit" className="primary" disabled={busy}>
                  Save note
                </button>{' '}
                <button type="button" onClick={() => setEditingNote(false)}>
                  Cancel
                </button>
              </div>
            </form>
          ) : (
            <>
              {client.note ? (
                <p className="cv-client-note" dir="auto">
                  {client.note}
                </p>
              ) : null}
              <button
                type="button"
                className="cv-link"
                onClick={() => {
                  setNoteBefore(client.note);
                  setEditingNote(true);
                }}
              >
                {client.note ? 'Edit note' : 'Add note'}
              </button>
            </>
          )}
        </dd>
        <dt>Pinned operator</dt>
        <dd>
          {pinAction === 'pin' && (
            <button type="button" disabled={busy} onClick={() => void run(() => api.post(`${base}/pin`))}>
              Pin to me
            </button>
          )}
          {pinAction === 'detach' && client.pin && (
            <button type="button" disabled={busy} onClick={() => void run(() => api.delete(`${base}/pin`))}>
              {client.pin.label}
            </button>
          )}
          {pinAction === undefined && client.pin && (
            <span className="cv-pin-held" dir="auto">
              {client.pin.label}
            </span>
          )}
        </dd>
      </dl>
    </aside>
  );
}
