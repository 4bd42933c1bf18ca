import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Login } from './Login';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('Login', () => {
  it('shows the server’s words when the credentials are wrong, and stays on the form', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ error: { code: 'unauthorized', message: 'Wrong email or password' } }), { status: 401 })));
    const onLoggedIn = vi.fn();
    render(<Login onLoggedIn={onLoggedIn} />);
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'ann@example.com' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'nope' } });
    fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Wrong email or password');
    expect(onLoggedIn).not.toHaveBeenCalled();
  });

  it('hands the token and the operator on when the login succeeds', async () => {
    const operator = { id: 'o1', name: 'Ann', email: 'ann@example.com', role: 'operator', permissions: [], groupIds: [] };
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ accessToken: 't0k3n', operator }), { status: 200 })));
    const onLoggedIn = vi.fn();
    render(<Login onLoggedIn={onLoggedIn} />);
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: ' ann@example.com ' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'secret' } });
    fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
    await vi.waitFor(() => expect(onLoggedIn).toHaveBeenCalledWith({ accessToken: 't0k3n', operator }));
  });
});
