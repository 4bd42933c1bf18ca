import { useState, type FormEvent } from 'react';
import { Dialog, FormActions } from '../conversation/Dialog';
import { useSession } from '../session';
import { messageOf } from './common';
import './pages.css';

/** The operator's own account: his password, and ending every session he has on other devices. */
export function AccountDialog({ onClose }: { onClose: () => void }) {
  const { api, me, switchToken, logOut } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeated, setRepeated] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!current) return setError('Type your current password.');
    if (next.length < 8 || next.trim().length === 0) return setError('The new password needs at least 8 characters, not only spaces.');
    if (next !== repeated) return setError('The new password and its repetition differ.');
    setBusy(true);
    setError(undefined);
    try {
      const { accessToken } = await api.post<{ accessToken: string }>('/me/password', { currentPassword: current, newPassword: next });
      await switchToken(accessToken);
      setDone(true);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title="Your account" description={`${me.name} · ${me.email}`} onClose={onClose} className="team-dialog">
      {done ? (
        <>
          <p role="status">Your password is changed. Your sessions on other devices and browsers have ended.</p>
          <div className="cv-dialog-actions">
            <button type="button" className="primary" onClick={onClose}>
              Done
            </button>
          </div>
        </>
      ) : (
        <form onSubmit={(e) => void submit(e)}>
          <h3>Change password</h3>
          <label className="field">
            <span>Current password</span>
            <input type="password" value={current} onChange={(e) => setCurrent(e.target.value)} autoComplete="current-password" maxLength={200} autoFocus />
          </label>
          <label className="field">
            <span>New password (at least 8 characters)</span>
            <input type="password" value={next} onChange={(e) => setNext(e.target.value)} autoComplete="new-password" maxLength={200} />
          </label>
          <label className="field">
            <span>New password again</span>
            <input type="password" value={repeated} onChange={(e) => setRepeated(e.target.value)} autoComplete="new-password" maxLength={200} />
          </label>
          <p className="muted">Changing it logs you out on your other devices and browsers.</p>
          <FormActions error={error} onCancel={onClose} disabled={busy} submit={busy ? 'Changing…' : 'Change password'} />
        </form>
      )}
      <h3>Other devices</h3>
      <p className="muted">Left yourself logged in somewhere, or lost a device? This ends every session of yours, this one too.</p>
      <div className="cv-dialog-actions">
        <button type="button" onClick={() => logOut({ everywhere: true })}>
          Log out everywhere
        </button>
      </div>
    </Dialog>
  );
}
