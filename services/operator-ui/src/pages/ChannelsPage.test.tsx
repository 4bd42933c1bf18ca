import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChannelsPage, type Channel } from './ChannelsPage';
import { admin, sessionOf, stubFetch, withSession } from './test-session';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const bodyOf = (init: RequestInit): Record<string, unknown> => JSON.parse(String(init.body)) as Record<string, unknown>;
const chat: Channel = {
  id: 'ch1',
  type: 'webchat',
  name: 'Shop chat',
  groupId: 'g1',
  enabled: true,
  webhookUrl: 'https://in.example/ingest/v1/webchat/ch1',
  widgetTag: '<script src="https://in.example/ingest/v1/webchat/widget.js" data-channel-id="ch1" async></script>',
  settings: { allowedOrigins: ['https://shop.example'] },
};
const bot: Channel = { id: 'ch2', type: 'telegram', name: 'Support bot', groupId: 'g2', enabled: false, webhookUrl: 'https://in.example/ingest/v1/telegram/ch2', settings: {} };

describe('ChannelsPage', () => {
  it('D2: lists channels with their default group, the tag a site puts on its pages, and the webhook to register', async () => {
    stubFetch((url) => (url.pathname === '/api/v1/channels' ? { body: { items: [chat, bot] } } : undefined));
    render(withSession(sessionOf(admin), <ChannelsPage />));
    const [first, second] = within(await screen.findByRole('list', { name: 'Channels' })).getAllByRole('listitem');
    expect(first!.textContent).toContain('Default group: Sales');
    expect(first!.textContent).toContain(chat.widgetTag);
    expect(second!.textContent).toContain('Switched off');
    expect(second!.textContent).toContain(bot.webhookUrl);
    expect(within(second!).getByRole('button', { name: 'Register the webhook of Support bot with Telegram' })).toBeTruthy();
  });

  it('D2: adds an API channel with a generated key; a refusal stays in the dialog', async () => {
    const posted: Record<string, unknown>[] = [];
    stubFetch((url, init) => {
      if (url.pathname !== '/api/v1/channels') return undefined;
      if (init.method !== 'POST') return { body: { items: [] } };
      posted.push(bodyOf(init));
      if (posted.length === 1) return { status: 409, body: { error: { code: 'conflict', message: 'This API key is used by another channel' } } };
      return { status: 201, body: { id: 'new', enabled: true, webhookUrl: 'x', ...bodyOf(init) } };
    });
    render(withSession(sessionOf(admin), <ChannelsPage />));
    fireEvent.click(await screen.findByRole('button', { name: 'Add channel' }));
    const dialog = screen.getByRole('dialog', { name: 'Add channel' });
    fireEvent.change(within(dialog).getByLabelText('Type'), { target: { value: 'api' } });
    fireEvent.change(within(dialog).getByLabelText('Name'), { target: { value: 'Shop connector 🛒' } });
    fireEvent.change(within(dialog).getByLabelText('Default group'), { target: { value: 'g2' } });
    const key = (within(dialog).getByLabelText(/API key/) as HTMLInputElement).value;
    expect(key).toMatch(/^[A-Za-z0-9]{40}$/);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add channel' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('This API key is used by another channel');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add channel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(posted[1]).toEqual({ type: 'api', name: 'Shop connector 🛒', groupId: 'g2', settings: { apiKey: key } });
    // The key Relaydesk picked is shown once more, to copy: the server never answers it again.
    const keys = screen.getByRole('region', { name: 'Keys to copy now' });
    expect(keys.textContent).toContain(`API key the connector sends as a Bearer token: ${key}`);
    fireEvent.click(within(keys).getByRole('button', { name: 'I have copied them' }));
    expect(screen.queryByRole('region', { name: 'Keys to copy now' })).toBeNull();
  });

  it('D2: an edit sends what changed: switched on, another site; a secret only when one is typed', async () => {
    const patched: Record<string, unknown>[] = [];
    stubFetch((url, init) => {
      if (url.pathname === '/api/v1/channels') return { body: { items: [chat, bot] } };
      if (init.method === 'PATCH') {
        patched.push(bodyOf(init));
        return { body: { ...bot, ...bodyOf(init) } };
      }
      return undefined;
    });
    render(withSession(sessionOf(admin), <ChannelsPage />));
    fireEvent.click(await screen.findByRole('button', { name: 'Edit Support bot' }));
    let dialog = screen.getByRole('dialog', { name: 'Edit Support bot' });
    fireEvent.click(within(dialog).getByLabelText(/^On/));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(patched).toEqual([{ enabled: true }]));

    fireEvent.click(await screen.findByRole('button', { name: 'Edit Shop chat' }));
    dialog = screen.getByRole('dialog', { name: 'Edit Shop chat' });
    fireEvent.change(within(dialog).getByLabelText(/Sites allowed/), { target: { value: 'https://shop.example\nhttps://blog.example' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(patched[1]).toEqual({ settings: { allowedOrigins: ['https://shop.example', 'https://blog.example'] } }));
  });
});
