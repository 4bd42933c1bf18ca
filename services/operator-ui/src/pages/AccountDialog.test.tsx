import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AccountDialog } from './AccountDialog';
import { operator, sessionOf, stubFetch, withSession } from './test-session';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function fill(dialog: HTMLElement, current: string, next: string, repeated = next) {
  fireEvent.change(within(dialog).getByLabelText('Current password'), { target: { value: current } });
  fireEvent.change(within(dialog).getByLabelText(/^New password \(at least/), { target: { value: next } });
  fireEvent.change(within(dialog).getByLabelText('New password again'), { target: { value: repeated } });
  fireEvent.click(within(dialog).getByRole('button', { name: 'Change password' }));
}

describe('AccountDialog', () => {
  it('changes the password with the current one and goes on with the answered token; the server\'s refusal is shown', async () => {
    const posted: unknown[] = [];
    stubFetch((url, init) => {
      if (url.pathname !== '/api/v1/me/password') return undefined;
      posted.push(JSON.parse(String(init.body)));
      if (posted.length === 1) return { status: 403, body: { error: { code: 'forbidden', message: 'The current password is wrong' } } };
      return { body: { accessToken: 'fresh-token' } };
    });
    const switchToken = vi.fn(async () => undefined);
    render(withSession(sessionOf(operator, { switchToken }), <AccountDialog onClose={() => undefined} />));
    const dialog = screen.getByRole('dialog', { name: 'Your account' });
    expect(dialog.getAttribute('aria-describedby')).toBeTruthy();

    fill(dialog, 'a guess', 'new secret 42');
    expect((await within(dialog).findByRole('alert')).textContent).toBe('The current password is wrong');
    expect(switchToken).not.toHaveBeenCalled();

    fill(dialog, 'old secret', 'new secret 42');
    expect((await within(dialog).findByRole('status')).textContent).toContain('Your password is changed');
    expect(posted[1]).toEqual({ currentPassword: 'old secret', newPassword: 'new secret 42' });
    expect(switchToken).toHaveBeenCalledWith('fresh-token');
  });

  it('refuses a short new password or a repetition that differs before asking the server', () => {
    const fetchMock = stubFetch(() => undefined);
    render(withSession(sessionOf(operator), <AccountDialog onClose={() => undefined} />));
    const dialog = screen.getByRole('dialog', { name: 'Your account' });
    fill(dialog, 'old secret', 'short');
    expect(within(dialog).getByRole('alert').textContent).toContain('at least 8 characters');
    fill(dialog, 'old secret', 'new secret 42', 'new secret 43');
    expect(within(dialog).getByRole('alert').textContent).toContain('differ');
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('logs out everywhere', async () => {
    const logOut = vi.fn();
    render(withSession(sessionOf(operator, { logOut }), <AccountDialog onClose={() => undefined} />));
    fireEvent.click(screen.getByRole('button', { name: 'Log out everywhere' }));
    await waitFor(() => expect(logOut).toHaveBeenCalledWith({ everywhere: true }));
  });
});
