import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Operator } from '../api/client';
import { TeamPage } from './TeamPage';
import { admin, operator, sessionOf, stubFetch, withSession } from './test-session';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const bodyOf = (init: RequestInit): Record<string, unknown> => JSON.parse(String(init.body)) as Record<string, unknown>;

describe('TeamPage', () => {
  it('D1, D2: lists operators with their role, groups and permissions', async () => {
    stubFetch((url) => (url.pathname === '/api/v1/operators' ? { body: { items: [{ ...admin, presence: 'online' }, { ...operator, permissions: ['conversations.view_all'], presence: 'offline' }] } } : undefined));
    render(withSession(sessionOf(admin), <TeamPage />));
    const otto = (await screen.findByRole('rowheader', { name: /Otto/ })).closest('tr')!;
    expect(within(otto).getByText('Sales, Support')).toBeTruthy();
    expect(within(otto).getByText('Show tab All')).toBeTruthy();
    const ada = screen.getByRole('rowheader', { name: /Ada Admin/ }).closest('tr')!;
    expect(within(ada).getByText('Super admin')).toBeTruthy();
    expect(within(ada).getByText('Every group')).toBeTruthy();
  });

  it('D1: adds an operator with a role, permissions and groups; a refusal (a taken email) is shown in the dialog', async () => {
    const posted: Record<string, unknown>[] = [];
    stubFetch((url, init) => {
      if (url.pathname !== '/api/v1/operators') return undefined;
      if (init.method !== 'POST') return { body: { items: [admin] } };
      posted.push(bodyOf(init));
      if (posted.length === 1) return { status: 409, body: { error: { code: 'conflict', message: 'An operator with this email exists' } } };
      return { status: 201, body: { id: 'new', ...bodyOf(init) } };
    });
    render(withSession(sessionOf(admin), <TeamPage />));
    fireEvent.click(await screen.findByRole('button', { name: 'Add operator' }));
    const dialog = screen.getByRole('dialog', { name: 'Add operator' });
    fireEvent.change(within(dialog).getByLabelText('Name'), { target: { value: 'Ünal 🎧' } });
    fireEvent.change(within(dialog).getByLabelText('Email'), { target: { value: 'unal@example.com' } });
    fireEvent.change(within(dialog).getByLabelText('Password'), { target: { value: 'long-enough-1' } });
    fireEvent.click(within(dialog).getByLabelText(/Show tab All/));
    fireEvent.click(within(dialog).getByLabelText('Billing'));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add operator' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('An operator with this email exists');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add operator' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(posted[1]).toEqual({ name: 'Ünal 🎧', email: 'unal@example.com', password: 'long-enough-1', role: 'operator', permissions: ['conversations.view_all'], groupIds: ['g3'] });
    expect(screen.getByRole('status').textContent).toContain('Added Ünal 🎧');
  });

  it('D2: an edit sends only what changed; a short new password is refused before sending', async () => {
    const patched: Record<string, unknown>[] = [];
    const otto: Operator = { ...operator };
    stubFetch((url, init) => {
      if (url.pathname === '/api/v1/operators') return { body: { items: [otto] } };
      if (url.pathname === `/api/v1/operators/${otto.id}` && init.method === 'PATCH') {
        patched.push(bodyOf(init));
        return { body: { ...otto, ...bodyOf(init) } };
      }
      return undefined;
    });
    render(withSession(sessionOf(admin), <TeamPage />));
    const edit = await screen.findByRole('button', { name: 'Edit Otto' });
    edit.focus();
    fireEvent.click(edit);
    // Escape gives focus back to the button that opened the dialog, though a field took it first.
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    expect(document.activeElement).toBe(edit);
    fireEvent.click(edit);
    const dialog = screen.getByRole('dialog', { name: 'Edit Otto' });
    fireEvent.click(within(dialog).getByLabelText('Support'));
    fireEvent.change(within(dialog).getByLabelText(/New password/), { target: { value: 'short' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect((await within(dialog).findByRole('alert')).textContent).toMatch(/at least 8 characters/);
    fireEvent.change(within(dialog).getByLabelText(/New password/), { target: { value: '' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(patched).toEqual([{ groupIds: ['g1'] }]));
  });

  it('a super_admin deactivates an operator from the edit dialog, is told what follows, and cannot deactivate himself', async () => {
    const patched: Record<string, unknown>[] = [];
    stubFetch((url, init) => {
      if (url.pathname === '/api/v1/operators') return { body: { items: [{ ...admin, active: true }, { ...operator, active: true }] } };
      if (init.method === 'PATCH') {
        patched.push(bodyOf(init));
        return { body: { ...operator, active: false } };
      }
      return undefined;
    });
    render(withSession(sessionOf(admin), <TeamPage />));
    fireEvent.click(await screen.findByRole('button', { name: 'Edit Ada Admin' }));
    expect((within(screen.getByRole('dialog')).getByLabelText(/^Active/) as HTMLInputElement).disabled).toBe(true);
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Cancel' }));
    fireEvent.click(screen.getByRole('button', { name: 'Edit Otto' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit Otto' });
    fireEvent.click(within(dialog).getByLabelText(/^Active/));
    expect(within(dialog).getByText(/logs Otto out everywhere/)).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(patched).toEqual([{ active: false }]));
  });

  it('D2: a new group is added and the session reads the groups again', async () => {
    const refreshGroups = vi.fn(async () => undefined);
    stubFetch((url, init) => {
      if (url.pathname === '/api/v1/operators') return { body: { items: [] } };
      if (url.pathname === '/api/v1/groups' && init.method === 'POST') return { status: 201, body: { id: 'g4', ...bodyOf(init) } };
      return undefined;
    });
    render(withSession(sessionOf(admin, { refreshGroups }), <TeamPage />));
    expect(await screen.findByText('Billing')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('New group'), { target: { value: '  Returns ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add group' }));
    await waitFor(() => expect(refreshGroups).toHaveBeenCalled());
    expect(screen.getByRole('status').textContent).toBe('Added the group Returns.');
  });

  it('D2: a group is renamed in a dialog; a taken name is refused there, and the session reads the groups again', async () => {
    const refreshGroups = vi.fn(async () => undefined);
    const patched: Record<string, unknown>[] = [];
    stubFetch((url, init) => {
      if (url.pathname === '/api/v1/operators') return { body: { items: [] } };
      if (url.pathname === '/api/v1/groups/g3' && init.method === 'PATCH') {
        patched.push(bodyOf(init));
        if (patched.length === 1) return { status: 409, body: { error: { code: 'conflict', message: 'A group named Sales already exists' } } };
        return { body: { id: 'g3', ...bodyOf(init) } };
      }
      return undefined;
    });
    render(withSession(sessionOf(admin, { refreshGroups }), <TeamPage />));
    fireEvent.click(await screen.findByRole('button', { name: 'Rename Billing' }));
    const dialog = screen.getByRole('dialog', { name: 'Rename Billing' });
    fireEvent.change(within(dialog).getByLabelText('Name'), { target: { value: 'Sales' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Rename' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('A group named Sales already exists');
    fireEvent.change(within(dialog).getByLabelText('Name'), { target: { value: ' Invoices 🧾 ' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Rename' }));
    await waitFor(() => expect(refreshGroups).toHaveBeenCalled());
    expect(patched).toEqual([{ name: 'Sales' }, { name: 'Invoices 🧾' }]);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.getByRole('status').textContent).toBe('Renamed Billing to Invoices 🧾.');
  });

  it('D2: an operator\'s email is changed in the edit dialog, sent only when it changed', async () => {
    const patched: Record<string, unknown>[] = [];
    stubFetch((url, init) => {
      if (url.pathname === '/api/v1/operators') return { body: { items: [operator] } };
      if (init.method === 'PATCH') {
        patched.push(bodyOf(init));
        return { body: { ...operator, ...bodyOf(init) } };
      }
      return undefined;
    });
    render(withSession(sessionOf(admin), <TeamPage />));
    fireEvent.click(await screen.findByRole('button', { name: 'Edit Otto' }));
    const email = within(screen.getByRole('dialog')).getByLabelText('Email');
    fireEvent.change(email, { target: { value: operator.email.toUpperCase() } });
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(patched).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: 'Edit Otto' }));
    fireEvent.change(within(screen.getByRole('dialog')).getByLabelText('Email'), { target: { value: 'otto.new@example.com' } });
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(patched).toEqual([{ email: 'otto.new@example.com' }]));
  });

  it('logs an operator out of every device from his dialog', async () => {
    const calls: string[] = [];
    stubFetch((url, init) => {
      if (url.pathname === '/api/v1/operators') return { body: { items: [admin, operator] } };
      if (url.pathname === `/api/v1/operators/${operator.id}/logout` && init.method === 'POST') {
        calls.push(url.pathname);
        return { status: 204 };
      }
      return undefined;
    });
    render(withSession(sessionOf(admin), <TeamPage />));
    fireEvent.click(await screen.findByRole('button', { name: /Edit Otto/ }));
    const dialog = screen.getByRole('dialog', { name: 'Edit Otto' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Log out of every device' }));
    expect((await within(dialog).findByRole('status')).textContent).toBe('Otto is logged out everywhere; their password still works.');
    expect(calls).toEqual([`/api/v1/operators/${operator.id}/logout`]);
  });
});
