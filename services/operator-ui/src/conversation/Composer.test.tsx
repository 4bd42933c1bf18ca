import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Composer } from './Composer';
import { renderWithSession, stubApi } from './test-kit';
import { Api } from '../api/client';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

const sent = (text: string) => ({ id: 'new1', direction: 'out', kind: 'text', text, sender: { type: 'operator', id: 'a' }, createdAt: '2026-12-01T10:00:00.000Z', deliveryStatus: 'pending', tags: [] });

/** A composer of conversation c1 (or `conversationId`), answering to a fresh Api. */
function mountComposer({ channel = 'webchat', conversationId = 'c1', notesOnly = false }: { channel?: 'webchat' | 'whatsapp'; conversationId?: string; notesOnly?: boolean } = {}) {
  const onSent = vi.fn();
  renderWithSession(<Composer api={new Api('test-token')} conversationId={conversationId} channel={channel} onSent={onSent} notesOnly={notesOnly} />);
  return onSent;
}

function renderComposer(channel: 'webchat' | 'whatsapp' = 'webchat') {
  const onSent = mountComposer({ channel });
  const box = screen.getByRole('textbox', { name: 'Message to the client' }) as HTMLTextAreaElement;
  return { onSent, box };
}

describe('Composer', () => {
  beforeEach(() => {
    // XMLHttpRequest is what Api.upload uses: any upload is seen here.
    vi.stubGlobal('XMLHttpRequest', vi.fn(() => ({ open: vi.fn(), setRequestHeader: vi.fn(), send: vi.fn(), upload: {} })));
  });

  it('keeps an unsent draft per conversation: back after opening another one or a reload, gone once sent', async () => {
    stubApi({ 'POST /conversations/c1/messages': (c) => ({ status: 201, body: sent((c.body as { text: string }).text) }) });
    const { box } = renderComposer();
    fireEvent.change(box, { target: { value: 'Half a reply 🙂' } });
    cleanup();
    mountComposer({ conversationId: 'c2' });
    expect((screen.getByRole('textbox', { name: 'Message to the client' }) as HTMLTextAreaElement).value).toBe('');
    cleanup();
    const again = renderComposer();
    expect(again.box.value).toBe('Half a reply 🙂');
    fireEvent.keyDown(again.box, { key: 'Enter', ctrlKey: true });
    await waitFor(() => expect(again.onSent).toHaveBeenCalledTimes(1));
    cleanup();
    expect(renderComposer().box.value).toBe('');
  });

  it('D18: a note’s draft comes back as a note, never as a reply to the client', async () => {
    renderComposer();
    fireEvent.click(screen.getByRole('button', { name: 'Internal note' }));
    fireEvent.change(screen.getByRole('textbox', { name: 'Internal note' }), { target: { value: 'INTERNAL: check the refund first' } });
    cleanup();
    mountComposer();
    expect((screen.getByRole('textbox', { name: 'Internal note' }) as HTMLTextAreaElement).value).toBe('INTERNAL: check the refund first');
    expect(screen.getByRole('button', { name: 'Internal note' }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByRole('button', { name: 'Add internal note' })).toBeTruthy();
  });

  it('D18: what was typed in a notes-only composer stays a note when the composer later allows replies', async () => {
    mountComposer({ notesOnly: true });
    fireEvent.change(screen.getByRole('textbox', { name: 'Internal note' }), { target: { value: 'seen before taking it' } });
    cleanup();
    mountComposer();
    expect(screen.queryByRole('textbox', { name: 'Message to the client' })).toBeNull();
    expect((screen.getByRole('textbox', { name: 'Internal note' }) as HTMLTextAreaElement).value).toBe('seen before taking it');
  });

  it('D15: what is typed while a message is sending stays in the box', async () => {
    let answer: () => void = () => undefined;
    stubApi({
      'POST /conversations/c1/messages': (c) =>
        new Promise((resolve) => {
          answer = () => resolve({ status: 201, body: sent((c.body as { text: string }).text) });
        }),
    });
    const { box, onSent } = renderComposer();
    fireEvent.change(box, { target: { value: 'First message' } });
    fireEvent.keyDown(box, { key: 'Enter', ctrlKey: true });
    fireEvent.change(box, { target: { value: 'First message and a second thought' } });
    await waitFor(() => expect(answer).not.toBe(undefined));
    await act(async () => answer());
    await waitFor(() => expect(onSent).toHaveBeenCalledTimes(1));
    expect(box.value).toBe('and a second thought');
  });

  it('D15: Ctrl+Enter sends once, with an Idempotency-Key, and clears the box', async () => {
    const api = stubApi({ 'POST /conversations/c1/messages': (c) => ({ status: 201, body: sent((c.body as { text: string }).text) }) });
    const { box, onSent } = renderComposer();
    fireEvent.change(box, { target: { value: 'Hello there 👋' } });
    fireEvent.keyDown(box, { key: 'Enter', ctrlKey: true });
    fireEvent.keyDown(box, { key: 'Enter', ctrlKey: true });
    await waitFor(() => expect(onSent).toHaveBeenCalledTimes(1));
    const posts = api.called('POST', '/conversations/c1/messages');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body).toEqual({ text: 'Hello there 👋' });
    expect(posts[0]!.headers['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(box.value).toBe('');
  });

  it('Cmd+Enter sends too; plain Enter makes a new line and sends nothing', async () => {
    const api = stubApi({ 'POST /conversations/c1/messages': (c) => ({ status: 201, body: sent((c.body as { text: string }).text) }) });
    const { box, onSent } = renderComposer();
    fireEvent.change(box, { target: { value: 'line one' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(api.calls).toHaveLength(0);
    fireEvent.keyDown(box, { key: 'Enter', metaKey: true });
    await waitFor(() => expect(onSent).toHaveBeenCalledTimes(1));
  });

  it('each new message gets a key of its own', async () => {
    const api = stubApi({ 'POST /conversations/c1/messages': (c) => ({ status: 201, body: sent((c.body as { text: string }).text) }) });
    const { box, onSent } = renderComposer();
    for (const text of ['one', 'two']) {
      fireEvent.change(box, { target: { value: text } });
      fireEvent.click(screen.getByRole('button', { name: 'Send' }));
      await waitFor(() => expect(box.value).toBe(''));
    }
    expect(onSent).toHaveBeenCalledTimes(2);
    const [a, b] = api.called('POST', '/conversations/c1/messages');
    expect(a!.headers['Idempotency-Key']).not.toBe(b!.headers['Idempotency-Key']);
  });

  it('D15: a send lost on the way keeps the text, says so, and the retry carries the SAME key', async () => {
    let fail = true;
    const api = stubApi({
      'POST /conversations/c1/messages': (c) => {
        if (fail) throw new TypeError('Failed to fetch');
        return { status: 201, body: sent((c.body as { text: string }).text) };
      },
    });
    const { box, onSent } = renderComposer();
    fireEvent.change(box, { target: { value: 'Your refund is on its way' } });
    fireEvent.keyDown(box, { key: 'Enter', ctrlKey: true });
    expect((await screen.findByRole('alert')).textContent).toBe('Not sent: the connection was lost. Your text is kept; press Send to try again (it will not be sent twice).');
    expect(box.value).toBe('Your refund is on its way');
    expect(onSent).not.toHaveBeenCalled();

    fail = false;
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(onSent).toHaveBeenCalledTimes(1));
    const [first, retry] = api.called('POST', '/conversations/c1/messages');
    expect(retry!.headers['Idempotency-Key']).toBe(first!.headers['Idempotency-Key']);
    expect(box.value).toBe('');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('a refusal (4xx) keeps the text and shows the server’s words; the next try is a new message', async () => {
    let status = 403;
    const api = stubApi({
      'POST /conversations/c1/messages': (c) =>
        status === 403 ? { status, body: { error: { code: 'forbidden', message: 'Only the assignee may reply' } } } : { status: 201, body: sent((c.body as { text: string }).text) },
    });
    const { box, onSent } = renderComposer();
    fireEvent.change(box, { target: { value: 'hi' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Not sent: Only the assignee may reply');
    expect(box.value).toBe('hi');
    status = 201;
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(onSent).toHaveBeenCalledTimes(1));
    const [first, second] = api.called('POST', '/conversations/c1/messages');
    expect(second!.headers['Idempotency-Key']).not.toBe(first!.headers['Idempotency-Key']);
  });

  it('D18: note mode posts to /notes and says notes never reach the client', async () => {
    const api = stubApi({ 'POST /conversations/c1/notes': (c) => ({ status: 201, body: { ...sent((c.body as { text: string }).text), kind: 'note' } }) });
    const { onSent } = renderComposer();
    fireEvent.click(screen.getByRole('button', { name: 'Internal note' }));
    expect(screen.getByText(/never sent to the client/)).toBeTruthy();
    const note = screen.getByRole('textbox', { name: 'Internal note' });
    fireEvent.change(note, { target: { value: 'VIP, be kind' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add internal note' }));
    await waitFor(() => expect(onSent).toHaveBeenCalledTimes(1));
    expect(api.called('POST', '/conversations/c1/notes')[0]!.body).toEqual({ text: 'VIP, be kind' });
    expect(api.called('POST', '/conversations/c1/messages')).toHaveLength(0);
  });

  describe('D16: canned responses', () => {
    const items = [
      { id: 'r1', title: 'Greeting', text: 'Hello! How can I help you?', scope: 'global' },
      { id: 'r2', title: 'Goodbye', text: 'Thanks for writing, have a nice day', scope: 'personal' },
      { id: 'r3', title: 'Refund', text: 'Your refund is on its way', scope: 'personal' },
    ];
    const routes = { 'GET /canned-responses': { body: { items, nextCursor: null } } };

    it('“/” at the start opens the picker, which filters as you type; arrows and Enter insert', async () => {
      const api = stubApi(routes);
      const { box } = renderComposer();
      fireEvent.change(box, { target: { value: '/' } });
      const list = await screen.findByRole('listbox', { name: 'Canned responses' });
      await waitFor(() => expect(list.querySelectorAll('[role=option]')).toHaveLength(3));

      fireEvent.change(box, { target: { value: '/g' } });
      await waitFor(() => expect(api.calls.some((c) => c.path === '/canned-responses?q=g')).toBe(true));
      await waitFor(() => expect(screen.getAllByRole('option').map((o) => o.querySelector('strong')!.textContent)).toEqual(['Greeting', 'Goodbye']));
      fireEvent.change(box, { target: { value: '/go' } });
      await waitFor(() => expect(screen.getAllByRole('option').map((o) => o.querySelector('strong')!.textContent)).toEqual(['Goodbye']));
      fireEvent.change(box, { target: { value: '/g' } });
      await waitFor(() => expect(screen.getAllByRole('option')).toHaveLength(2));

      expect(screen.getAllByRole('option')[0]!.getAttribute('aria-selected')).toBe('true');
      fireEvent.keyDown(box, { key: 'ArrowDown' });
      expect(screen.getAllByRole('option')[1]!.getAttribute('aria-selected')).toBe('true');
      fireEvent.keyDown(box, { key: 'Enter' });
      expect(box.value).toBe('Thanks for writing, have a nice day');
      expect(screen.queryByRole('listbox')).toBeNull();
      expect(api.called('POST', '/conversations')).toHaveLength(0);
    });

    it('“\\” opens it as well, by the start of the text too; Escape closes it', async () => {
      stubApi(routes);
      const { box } = renderComposer();
      fireEvent.change(box, { target: { value: '\\refund' } });
      await waitFor(() => expect(screen.getAllByRole('option').map((o) => o.querySelector('strong')!.textContent)).toEqual(['Refund']));
      fireEvent.keyDown(box, { key: 'Escape' });
      expect(screen.queryByRole('listbox')).toBeNull();
    });

    it('a slash inside the text opens nothing', async () => {
      const api = stubApi(routes);
      const { box } = renderComposer();
      fireEvent.change(box, { target: { value: 'and/or' } });
      await new Promise((r) => setTimeout(r, 200));
      expect(screen.queryByRole('listbox')).toBeNull();
      expect(api.calls).toHaveLength(0);
    });
  });

  describe('D15: one file', () => {
    it('refuses a forbidden type before any upload, with what the channel takes; the picker offers only those', async () => {
      const api = stubApi({});
      renderComposer('webchat');
      const input = screen.getByLabelText('Attach file') as HTMLInputElement;
      expect(input.accept).toBe('.png,.jpg,.jpeg,.gif,.webp,.pdf,.txt,.csv,.doc,.docx,.xls,.xlsx,.ppt,.pptx');
      fireEvent.change(input, { target: { files: [new File(['MZ...'], 'setup.exe', { type: 'application/x-msdownload' })] } });
      expect((await screen.findByRole('alert')).textContent).toMatch(/does not take \.exe files\. It takes images \(PNG, JPG, JPEG, GIF, WEBP\) up to 10 MB/);
      expect(XMLHttpRequest).not.toHaveBeenCalled();
      expect(api.calls).toHaveLength(0);
    });

    it('refuses a file over the channel’s limit for its type before any upload', async () => {
      stubApi({});
      renderComposer('whatsapp');
      const big = new File(['x'], 'photo.png', { type: 'image/png' });
      Object.defineProperty(big, 'size', { value: 6_000_000 });
      fireEvent.change(screen.getByLabelText('Attach file'), { target: { files: [big] } });
      expect((await screen.findByRole('alert')).textContent).toBe('"photo.png" is 6 MB; a WhatsApp conversation takes images up to 5 MB.');
      expect(XMLHttpRequest).not.toHaveBeenCalled();
    });

    it('uploads an allowed file at once with its own key and a progress bar', async () => {
      stubApi({});
      const onSent = vi.fn();
      const upload = vi.fn((_path: string, _form: FormData, _headers: Record<string, string>, progress: (d: number) => void) => {
        progress(0.5);
        return new Promise(() => undefined);
      });
      const api = new Api('t');
      (api as unknown as { upload: unknown }).upload = upload;
      renderWithSession(<Composer api={api} conversationId="c1" channel="webchat" onSent={onSent} />);
      fireEvent.change(screen.getByLabelText('Attach file'), { target: { files: [new File(['%PDF-1.4'], 'invoice.pdf', { type: 'application/pdf' })] } });
      await act(async () => undefined);
      expect(upload).toHaveBeenCalledTimes(1);
      expect(upload.mock.calls[0]![0]).toBe('/conversations/c1/messages');
      expect((upload.mock.calls[0]![1] as FormData).get('file')).toBeInstanceOf(File);
      expect(upload.mock.calls[0]![2]['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/);
      const bar = screen.getByRole('progressbar', { name: 'Uploading invoice.pdf' }) as HTMLProgressElement;
      expect(bar.value).toBe(0.5);
    });
  });

  it('D20: the emoji picker inserts plain Unicode at the cursor', () => {
    stubApi({});
    const { box } = renderComposer();
    fireEvent.change(box, { target: { value: 'Thanks' } });
    box.setSelectionRange(6, 6);
    fireEvent.click(screen.getByRole('button', { name: 'Emoji' }));
    fireEvent.click(screen.getByRole('button', { name: 'thumbs up' }));
    expect(box.value).toBe('Thanks👍');
  });

  it('D20: arrow keys, Home and End move through the emoji grid; Escape closes it and returns to the text', () => {
    stubApi({});
    const { box } = renderComposer();
    fireEvent.click(screen.getByRole('button', { name: 'Emoji' }));
    const grid = screen.getByRole('group', { name: 'Emoji' });
    const buttons = within(grid).getAllByRole('button');
    expect(document.activeElement).toBe(buttons[0]);
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowRight' });
    expect(document.activeElement).toBe(buttons[1]);
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(buttons[7]);
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowUp' });
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowUp' });
    expect(document.activeElement).toBe(buttons[0]);
    fireEvent.keyDown(document.activeElement!, { key: 'End' });
    expect(document.activeElement).toBe(buttons[buttons.length - 1]);
    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    expect(screen.queryByRole('group', { name: 'Emoji' })).toBeNull();
    expect(document.activeElement).toBe(box);
  });

  it('D33: a text over the 10,000 characters a message holds says by how much, and Send waits until it is shorter', async () => {
    const api = stubApi({ 'POST /conversations/c1/messages': (c) => ({ status: 201, body: sent((c.body as { text: string }).text) }) });
    renderComposer();
    const box = screen.getByRole('textbox', { name: 'Message to the client' });
    fireEvent.change(box, { target: { value: 'x'.repeat(9_500) } });
    expect(screen.getByText(/9,500 of 10,000 characters/)).toBeTruthy();
    fireEvent.change(box, { target: { value: 'x'.repeat(10_250) } });
    expect(screen.getByText(/shorten it by 250 to send/)).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.keyDown(box, { key: 'Enter', ctrlKey: true });
    fireEvent.change(box, { target: { value: 'x'.repeat(10_000) } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(api.called('POST', '/conversations/c1/messages')).toHaveLength(1));
  });
});
