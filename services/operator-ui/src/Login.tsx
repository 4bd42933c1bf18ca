import { useEffect, useState, type FormEvent } from 'react';
import { logIn, type LoginAnswer } from './api/client';

/** `ended` says why the last session ended when the server ended it (a deactivation, a changed password). */
export function Login({ onLoggedIn, ended }: { onLoggedIn: (answer: LoginAnswer) => void; ended?: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = 'Log in · Relaydesk';
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onLoggedIn(await logIn(email.trim(), password));
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Could not log in');
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <form onSubmit={(e) => void submit(e)} aria-label="Log in">
        <h1>Relaydesk</h1>
        {ended && (
          <p role="status" className="login-ended">
            You were logged out: {ended.replace(/\.?$/, '.')}
          </p>
        )}
        <label>
          Email
          <input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
        </label>
        <label>
          Password
          <input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}
