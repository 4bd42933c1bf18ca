import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OutgoingDialog } from './OutgoingDialog';
import { admin, operator, sessionOf, stubFetch, withSession } from './test-session';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const bodyOf = (init?: RequestInit) => JSON.parse(String(init?.body)) as unknown;

describe('OutgoingDialog', () => {
  it('D29: checks the number, then sends name, text and the chosen group, and hands the conversation on', async () => {
    const fetchMock = stubFetch((url, init) => {
      if (url.pathname === '/api/v1/outgoing/check') return { body: { phone: '+491512345678', hasWhatsApp: true } };
      if (url.pathname === '/api/v1/outgoing' && init.method === 'POST') return { status: 201, body: { id: 'conv-42', status: 'in_progress' } };
      return undefined;
    });
    const onStarted = vi.fn();
    render(withSession(sessionOf(operator), <OutgoingDialog onClose={vi.fn()} onStarted={onStarted} />));
    const dialog = screen.getByRole('dialog', { name: 'New WhatsApp conversation' });
    const phone = screen.getByLabelText('Phone number');
    expect(document.activeElement).toBe(phone);
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    const step = () => document.getElementById(dialog.getAttribute('aria-describedby')!)?.textContent;
    expect(step()).toBe('Step 1 of 2: the client’s number');

    fireEvent.change(phone, { target: { value: '+49 151-2345678' } });
    fireEvent.click(screen.getByRole('button', { name: 'Check number' }));
    const name = await screen.findByLabelText('Client name');
    // Focus moves in an effect after the step is drawn.
    await waitFor(() => expect(document.activeElement).toBe(name));
    expect(step()).toBe('Step 2 of 2: name, message and group');
    expect(bodyOf(fetchMock.mock.calls[0]![1])).toEqual({ phone: '+491512345678' });
    expect(screen.getByText('+491512345678')).toBeTruthy();

    // Two groups: the group is required, and only his are offered.
    const group = screen.getByLabelText('Group') as HTMLSelectElement;
    expect([...group.options].map((o) => o.textContent)).toEqual(['Choose a group…', 'Sales', 'Support']);
    fireEvent.change(name, { target: { value: 'Jana 🌸' } });
    fireEvent.change(screen.getByLabelText('Message'), { target: { value: 'Hello, your order shipped.' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start conversation' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/Choose the group/);
    fireEvent.change(group, { target: { value: 'g2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start conversation' }));
    await vi.waitFor(() => expect(onStarted).toHaveBeenCalledWith('conv-42'));
    const post = fetchMock.mock.calls.find(([u]) => String(u) === '/api/v1/outgoing')!;
    expect(bodyOf(post[1])).toEqual({ phone: '+491512345678', clientName: 'Jana 🌸', text: 'Hello, your order shipped.', groupId: 'g2' });
  });

  it('D29: a number without WhatsApp stays on the first step; a bad number is caught before asking', async () => {
    const fetchMock = stubFetch((url) => (url.pathname === '/api/v1/outgoing/check' ? { body: { phone: '+15550000000', hasWhatsApp: false } } : undefined));
    render(withSession(sessionOf(admin), <OutgoingDialog onClose={vi.fn()} onStarted={vi.fn()} />));
    fireEvent.change(screen.getByLabelText('Phone number'), { target: { value: '12345' } });
    fireEvent.click(screen.getByRole('button', { name: 'Check number' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/international form/);
    expect(fetchMock).not.toHaveBeenCalled();
    fireEvent.change(screen.getByLabelText('Phone number'), { target: { value: '+15550000000' } });
    fireEvent.click(screen.getByRole('button', { name: 'Check number' }));
    expect((await screen.findByText(/has no WhatsApp/)).textContent).toContain('+15550000000');
    expect(screen.queryByLabelText('Client name')).toBeNull();
  });

  it('D29, D33: the server’s refusal is shown plainly; Escape closes', async () => {
    stubFetch((url) => {
      if (url.pathname === '/api/v1/outgoing/check') return { body: { phone: '+491512345678', hasWhatsApp: true } };
      if (url.pathname === '/api/v1/outgoing') return { status: 403, body: { error: { code: 'forbidden', message: 'groupId must be one of your groups' } } };
      return undefined;
    });
    const onClose = vi.fn();
    const onStarted = vi.fn();
    render(withSession(sessionOf(admin), <OutgoingDialog onClose={onClose} onStarted={onStarted} />));
    fireEvent.change(screen.getByLabelText('Phone number'), { target: { value: '+491512345678' } });
    fireEvent.click(screen.getByRole('button', { name: 'Check number' }));
    fireEvent.change(await screen.findByLabelText('Client name'), { target: { value: 'Jana' } });
    fireEvent.change(screen.getByLabelText('Message'), { target: { value: 'Hi' } });
    // A super_admin may leave the group to the channel.
    expect(screen.getByLabelText('Group (optional)')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Start conversation' }));
    expect((await screen.findByRole('alert')).textContent).toBe('groupId must be one of your groups');
    expect(onStarted).not.toHaveBeenCalled();
    fireEvent.keyDown(screen.getByLabelText('Message'), { key: 'Escape' });
    expect(onClose).toHaveBeenCalled();
  });

  it('D29, D5: a number that is already a client is named, and the name field goes; one a colleague holds cannot be written to', async () => {
    let existingClient: unknown = { inYourGroups: true, name: 'Lena Schmidt', heldByAnother: false, blacklisted: false };
    const posted: unknown[] = [];
    stubFetch((url, init) => {
      if (url.pathname === '/api/v1/outgoing/check') return { body: { phone: '+491512340001', hasWhatsApp: true, existingClient } };
      if (url.pathname === '/api/v1/outgoing' && init.method === 'POST') {
        posted.push(bodyOf(init));
        return { status: 201, body: { id: 'conv-7', status: 'in_progress' } };
      }
      return undefined;
    });
    const onStarted = vi.fn();
    render(withSession(sessionOf({ ...operator, groupIds: ['g1'] }), <OutgoingDialog onClose={vi.fn()} onStarted={onStarted} />));
    fireEvent.change(screen.getByLabelText('Phone number'), { target: { value: '+491512340001' } });
    fireEvent.click(screen.getByRole('button', { name: 'Check number' }));
    expect((await screen.findByText('Lena Schmidt')).tagName).toBe('STRONG');
    expect(screen.queryByLabelText('Client name')).toBeNull();
    const message = screen.getByLabelText('Message');
    await waitFor(() => expect(document.activeElement).toBe(message));
    fireEvent.change(message, { target: { value: 'Your parcel is here' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start conversation' }));
    await waitFor(() => expect(onStarted).toHaveBeenCalledWith('conv-7'));
    expect(posted).toEqual([{ phone: '+491512340001', clientName: 'Lena Schmidt', text: 'Your parcel is here', groupId: 'g1' }]);
    cleanup();

    for (const [known, words] of [
      [{ inYourGroups: true, name: 'Lena Schmidt', heldByAnother: true, blacklisted: false }, 'Lena Schmidt’s conversation is in a colleague’s inbox: ask them to hand it over.'],
      [{ inYourGroups: false }, 'This number’s client is served in a group you are not in: ask an operator of that group to write.'],
    ] as const) {
      existingClient = known;
      render(withSession(sessionOf({ ...operator, groupIds: ['g1'] }), <OutgoingDialog onClose={vi.fn()} onStarted={vi.fn()} />));
      fireEvent.change(screen.getByLabelText('Phone number'), { target: { value: '+491512340001' } });
      fireEvent.click(screen.getByRole('button', { name: 'Check number' }));
      expect((await screen.findByRole('alert')).textContent).toBe(words);
      expect((screen.getByRole('button', { name: 'Start conversation' }) as HTMLButtonElement).disabled).toBe(true);
      cleanup();
    }
    expect(posted).toHaveLength(1);
  });

  it('D29: renders nothing while the feature is off', () => {
    const { container } = render(withSession(sessionOf(operator, { features: { outgoingWhatsApp: false } }), <OutgoingDialog onClose={vi.fn()} onStarted={vi.fn()} />));
    expect(container.innerHTML).toBe('');
  });
});
