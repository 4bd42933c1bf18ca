import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Operator } from '../api/client';
import { ConversationPane } from './ConversationPane';
import { LEAVE_AFTER_MS, mergeMessages } from './use-open-conversation';
import { anna, clientProfile, conversation, fakeStream, message, renderWithSession, stubApi } from './test-kit';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

const routesFor = (items: ReturnType<typeof message>[], over: Record<string, unknown> = {}) => ({
  'GET /conversations/c1': { body: conversation() },
  'GET /conversations/c1/messages': { body: { items, nextCursor: null } },
  'GET /clients/cl1': { body: clientProfile() },
  'POST /conversations/c1/read': { status: 204 },
  ...over,
});

async function open(routes: Record<string, unknown>, me: Operator = anna) {
  const api = stubApi(routes as Parameters<typeof stubApi>[0]);
  const live = fakeStream();
  const onLeave = vi.fn();
  renderWithSession(<ConversationPane conversationId="c1" onLeave={onLeave} />, live.stream, me);
  await screen.findByRole('heading', { name: 'Olga Client' });
  return { api, live, onLeave };
}

describe('ConversationPane: history', () => {
  it('client and operator bubbles, D18 notes apart and labelled, events as small lines, delivery status with the error title', async () => {
    await open(
      routesFor([
        message({ id: 'a', text: 'Where is my parcel?' }),
        message({ id: 'b', direction: 'out', text: 'Checking', sender: { type: 'operator', id: anna.id, name: 'Anna' }, deliveryStatus: 'read' }),
        message({ id: 'c', direction: 'out', kind: 'note', text: 'Customer is VIP', sender: { type: 'operator', id: anna.id, name: 'Anna' } }),
        message({ id: 'd', kind: 'event', text: 'Anna took the conversation', sender: { type: 'operator' } }),
        message({ id: 'e', direction: 'out', text: 'Sorry', sender: { type: 'operator', id: anna.id, name: 'Anna' }, deliveryStatus: 'failed', deliveryError: { code: '131047', title: 'Re-engagement message' } }),
      ]),
    );
    const list = await screen.findByRole('list', { name: 'Messages' });
    await waitFor(() => expect(list.querySelectorAll('.cv-msg')).toHaveLength(4));
    expect(screen.getByTestId('message-a').className).toContain('cv-msg-in');
    expect(screen.getByTestId('message-b').className).toContain('cv-msg-out');
    const note = screen.getByTestId('message-c');
    expect(note.className).toContain('cv-msg-note');
    expect(within(note).getByText('Internal note')).toBeTruthy();
    expect(note.querySelector('.cv-delivery')).toBeNull();
    const event = list.querySelector('[data-kind=event]')!;
    expect(event.className).toBe('cv-event');
    expect(event.textContent).toContain('Anna took the conversation');
    expect(within(screen.getByTestId('message-b')).getByText(/Read/)).toBeTruthy();
    expect(screen.getByTestId('message-e').querySelector('.cv-delivery-failed')!.textContent).toContain('Not delivered: Re-engagement message');
  });

  it('HTML and script in client text are shown as text, never run; right-to-left and emoji stay intact', async () => {
    const evil = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script><b>bold</b>';
    await open(
      routesFor([message({ id: 'x', text: evil }), message({ id: 'y', text: 'مرحبا 👋🏽 שלום' })], {
        'GET /conversations/c1': { body: conversation({ client: { id: 'cl1', name: 'Olga Client', channel: 'webchat', blacklisted: false } }) },
      }),
    );
    const bubble = await screen.findByTestId('message-x');
    expect(bubble.querySelector('.cv-text')!.textContent).toBe(evil);
    expect(bubble.querySelector('img, script, b')).toBeNull();
    expect((window as unknown as { pwned?: number }).pwned).toBeUndefined();
    const rtl = screen.getByTestId('message-y').querySelector('.cv-text')!;
    expect(rtl.textContent).toBe('مرحبا 👋🏽 שלום');
    expect(rtl.getAttribute('dir')).toBe('auto');
  });

  it('D15: shows images inline and other files as download links, fetched with the token', async () => {
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: vi.fn(() => 'blob:picture'), revokeObjectURL: vi.fn() }));
    const { api } = await open(
      routesFor(
        [
          message({ id: 'img', kind: 'file', text: null, attachment: { id: 'att1', fileName: 'box.png', mimeType: 'image/png', size: 2048, url: '/api/v1/attachments/att1' } }),
          message({ id: 'doc', kind: 'file', text: 'invoice', attachment: { id: 'att2', fileName: 'invoice.pdf', mimeType: 'application/pdf', size: 183_000, url: '/api/v1/attachments/att2' } }),
        ],
        { 'GET /attachments/att1': { body: 'png-bytes' } },
      ),
    );
    const img = (await screen.findByRole('img', { name: 'box.png' })) as HTMLImageElement;
    expect(img.src).toBe('blob:picture');
    expect(api.called('GET', '/attachments/att1')[0]!.headers['authorization']).toBe('Bearer test-token');
    expect(within(screen.getByTestId('message-doc')).getByRole('link', { name: /invoice\.pdf/ })).toBeTruthy();
    expect(within(screen.getByTestId('message-doc')).queryByRole('img', { name: 'invoice.pdf' })).toBeNull();
    expect(api.called('GET', '/attachments/att2')).toHaveLength(0);
  });

  it('loads older pages by nextCursor, oldest first', async () => {
    const older = message({ id: 'old', text: 'older one', createdAt: '2026-11-01T10:00:00.000Z' });
    const { api } = await open(
      routesFor([], {
        'GET /conversations/c1/messages': (c: { path: string }) =>
          c.path.includes('before=cur1') ? { body: { items: [older], nextCursor: null } } : { body: { items: [message({ id: 'new', text: 'newer one' })], nextCursor: 'cur1' } },
      }),
    );
    await waitFor(() => expect(api.calls.some((c) => c.path.includes('before=cur1'))).toBe(true));
    await waitFor(() => expect([...document.querySelectorAll('.cv-text')].map((e) => e.textContent)).toEqual(['older one', 'newer one']));
  });

  it('merges a send’s answer and its stream frame into one message', () => {
    const m = message({ id: 'same' });
    expect(mergeMessages([m], [{ ...m, deliveryStatus: 'sent' }])).toHaveLength(1);
  });
});

describe('ConversationPane: live', () => {
  it('D14: marks the conversation read when opened and when a client message arrives; appends it', async () => {
    const { api, live } = await open(routesFor([message({ id: 'a', text: 'first' })]));
    await waitFor(() => expect(api.called('POST', '/conversations/c1/read')).toHaveLength(1));
    act(() => live.emit({ type: 'message.created', data: { conversationId: 'c1', message: message({ id: 'b', text: 'second', createdAt: '2026-12-31T00:00:00.000Z' }) } }));
    act(() => live.emit({ type: 'message.created', data: { conversationId: 'other', message: message({ id: 'z', text: 'elsewhere' }) } }));
    await screen.findByText('second');
    expect(screen.queryByText('elsewhere')).toBeNull();
    await waitFor(() => expect(api.called('POST', '/conversations/c1/read')).toHaveLength(2));
  });

  it('updates delivery status from message.updated', async () => {
    const { live } = await open(routesFor([message({ id: 'o', direction: 'out', text: 'hi', sender: { type: 'operator', id: anna.id }, deliveryStatus: 'pending' })]));
    await screen.findByText('hi');
    act(() => live.emit({ type: 'message.updated', data: { conversationId: 'c1', messageId: 'o', deliveryStatus: 'delivered' } }));
    expect(screen.getByTestId('message-o').querySelector('.cv-delivery')!.textContent).toContain('Delivered');
  });

  it('D7: conversation.updated refreshes the header; visible:false says who moved it, then leaves', async () => {
    const { live, onLeave } = await open(routesFor([]));
    act(() => live.emit({ type: 'conversation.updated', data: { ...conversation({ status: 'closed', assignee: { id: anna.id, name: 'Anna' } }), visible: true } }));
    expect(screen.getByText('Closed', { selector: '.cv-status' })).toBeTruthy();
    expect(onLeave).not.toHaveBeenCalled();
    vi.useFakeTimers({ shouldAdvanceTime: true });
    act(() => live.emit({ type: 'conversation.updated', data: { id: 'c1', visible: false, by: { id: 'b1', name: 'Boris' } } }));
    expect(screen.getByRole('alert').textContent).toContain('Boris moved this conversation out of your view.');
    expect(onLeave).not.toHaveBeenCalled();
    act(() => vi.advanceTimersByTime(LEAVE_AFTER_MS));
    expect(onLeave).toHaveBeenCalledTimes(1);
  });

  it('D27: a conversation that leaves sight by no operator’s hand (a client, the system) says so without naming anyone', async () => {
    const { live } = await open(routesFor([]));
    act(() => live.emit({ type: 'conversation.updated', data: { id: 'c1', visible: false } }));
    expect(screen.getByRole('alert').textContent).toContain('This conversation moved out of your view.');
  });

  it('D15: the holder sends a reply the channel did not deliver (text or file) again, as a new message with a new key; others cannot', async () => {
    const failed = message({ id: 'f1', direction: 'out', text: 'Your parcel left today', sender: { type: 'operator', id: anna.id, name: 'Anna' }, deliveryStatus: 'failed', deliveryError: { code: '503', title: 'WhatsApp is down' } });
    const failedFile = message({ id: 'f3', direction: 'out', kind: 'file', text: null, sender: { type: 'operator', id: anna.id, name: 'Anna' }, deliveryStatus: 'failed', deliveryError: { code: '503', title: 'WhatsApp is down' } });
    const { api } = await open(
      routesFor([failed, failedFile], {
        'POST /conversations/c1/messages': () => ({ status: 201, body: message({ id: 'f2', direction: 'out', text: 'Your parcel left today', deliveryStatus: 'pending', sender: { type: 'operator', id: anna.id, name: 'Anna' } }) }),
      }),
    );
    fireEvent.click(within(await screen.findByTestId('message-f1')).getByRole('button', { name: 'Send again' }));
    await screen.findByTestId('message-f2');
    fireEvent.click(within(screen.getByTestId('message-f3')).getByRole('button', { name: 'Send again' }));
    await waitFor(() => expect(api.called('POST', '/conversations/c1/messages')).toHaveLength(2));
    const sent = api.called('POST', '/conversations/c1/messages');
    expect(sent.map((c) => c.body)).toEqual([{ resendOf: 'f1' }, { resendOf: 'f3' }]);
    expect(sent[0]!.headers['Idempotency-Key']).toEqual(expect.any(String));
    cleanup();
    await open(routesFor([failed], { 'GET /conversations/c1': { body: conversation({ assignee: { id: 'b1', name: 'Boris' } }) } }));
    expect(within(await screen.findByTestId('message-f1')).queryByRole('button', { name: 'Send again' })).toBeNull();
  });

  it('D27: a colleague sending the client to the black list is said as such', async () => {
    const { live } = await open(routesFor([]));
    act(() => live.emit({ type: 'conversation.updated', data: { id: 'c1', visible: false, by: { id: 'b1', name: 'Boris' }, reason: 'blacklisted' } }));
    expect(screen.getByRole('alert').textContent).toContain('Boris sent this client to the black list.');
  });
});

describe('ConversationPane: moves', () => {
  it('D18: who may see a conversation but not reply in it (a colleague’s, a closed one, a preview) can still leave a note', async () => {
    for (const over of [{ assignee: { id: 'someone', name: 'Boris' } }, { status: 'closed' as const }, { status: 'unassigned' as const, assignee: null }]) {
      const { api } = await open(
        routesFor([], {
          'GET /conversations/c1': { body: conversation(over) },
          'POST /conversations/c1/notes': (c: { body: unknown }) => ({ status: 201, body: message({ id: 'n1', kind: 'note', direction: 'out', text: (c.body as { text: string }).text }) }),
        }),
      );
      expect(screen.queryByRole('textbox', { name: 'Message to the client' })).toBeNull();
      expect(screen.queryByRole('button', { name: 'Reply to client' })).toBeNull();
      expect(screen.queryByRole('button', { name: /Attach file/ })).toBeNull();
      fireEvent.change(screen.getByRole('textbox', { name: 'Internal note' }), { target: { value: 'VIP: call back before 5 pm' } });
      fireEvent.click(screen.getByRole('button', { name: 'Add internal note' }));
      await waitFor(() => expect(api.called('POST', '/conversations/c1/notes')).toHaveLength(1));
      expect(api.called('POST', '/conversations/c1/notes')[0]!.body).toEqual({ text: 'VIP: call back before 5 pm' });
      expect(api.called('POST', '/conversations/c1/messages')).toHaveLength(0);
      cleanup();
    }
  });

  it('D8: only the holder may reply to the client', async () => {
    await open(routesFor([], { 'GET /conversations/c1': { body: conversation({ assignee: { id: 'someone', name: 'Boris' } }) } }));
    expect(screen.queryByRole('textbox', { name: 'Message to the client' })).toBeNull();
    expect(screen.getByText(/Only Boris can reply/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'To closed' })).toBeNull();
  });

  it('D7: in Unassigned a preview and "Start conversation"; a 409 says someone else took it, then leaves', async () => {
    const { live, onLeave } = await open(
      routesFor([message({ text: 'I need help' })], {
        'GET /conversations/c1': { body: conversation({ status: 'unassigned', assignee: null }) },
        'POST /conversations/c1/take': { status: 409, body: { error: { code: 'conflict', message: 'Conversation is already taken' } } },
      }),
    );
    expect(await screen.findByText('I need help')).toBeTruthy();
    expect(screen.queryByRole('textbox', { name: 'Message to the client' })).toBeNull();
    vi.useFakeTimers({ shouldAdvanceTime: true });
    fireEvent.click(screen.getByRole('button', { name: 'Start conversation' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Someone else took this conversation first.');
    expect(onLeave).not.toHaveBeenCalled();
    // Nothing more to do on what is going away.
    expect((screen.getByRole('button', { name: 'Start conversation' }) as HTMLButtonElement).disabled).toBe(true);
    // The stream names the winner a moment later; the pane still leaves on the first reason's time.
    act(() => vi.advanceTimersByTime(LEAVE_AFTER_MS - 100));
    act(() => live.emit({ type: 'conversation.updated', data: { id: 'c1', visible: false, by: { id: 'b1', name: 'Boris' } } }));
    expect(screen.getByRole('alert').textContent).toContain('Boris took this conversation first.');
    act(() => vi.advanceTimersByTime(100));
    expect(onLeave).toHaveBeenCalledTimes(1);
  });

  it('D7: a take lost while the stream already said the conversation went says who won it, not that it vanished', async () => {
    let emit: (f: { type: string; data: unknown }) => void = () => undefined;
    const { live, onLeave } = await open(
      routesFor([], {
        'GET /conversations/c1': { body: conversation({ status: 'unassigned', assignee: null }) },
        'POST /conversations/c1/take': () => {
          emit({ type: 'conversation.updated', data: { id: 'c1', visible: false, by: { id: 'b1', name: 'Boris' } } });
          return { status: 409, body: { error: { code: 'conflict', message: 'Conversation is already taken' } } };
        },
      }),
    );
    emit = (f) => act(() => live.emit(f));
    vi.useFakeTimers({ shouldAdvanceTime: true });
    fireEvent.click(await screen.findByRole('button', { name: 'Start conversation' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Boris took this conversation first.');
    expect(onLeave).not.toHaveBeenCalled();
    act(() => vi.advanceTimersByTime(LEAVE_AFTER_MS));
    expect(onLeave).toHaveBeenCalledTimes(1);
  });

  it('D27: when the stream echoes the caller’s own move (a black list he cannot see), the pane leaves without blaming a colleague', async () => {
    const { live, onLeave } = await open(routesFor([], { 'POST /conversations/c1/blacklist': { body: conversation({ client: { ...conversation().client, blacklisted: true } }) } }));
    fireEvent.click(screen.getByRole('button', { name: 'Send to the black list' }));
    const dialog = await screen.findByRole('dialog', { name: 'Send to the black list' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Send to the black list' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    act(() => live.emit({ type: 'conversation.updated', data: { id: 'c1', visible: false, by: { id: anna.id, name: 'Anna' } } }));
    expect(onLeave).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('D7: a colleague’s take right after the caller’s own move is still explained, not taken for its echo', async () => {
    const { live, onLeave } = await open(routesFor([], { 'POST /conversations/c1/blacklist': { body: conversation({ client: { ...conversation().client, blacklisted: true } }) } }));
    fireEvent.click(screen.getByRole('button', { name: 'Send to the black list' }));
    const dialog = await screen.findByRole('dialog', { name: 'Send to the black list' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Send to the black list' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    act(() => live.emit({ type: 'conversation.updated', data: { id: 'c1', visible: false, by: { id: 'b1', name: 'Boris' } } }));
    expect(screen.getByRole('alert').textContent).toContain('Boris moved this conversation out of your view.');
    expect(onLeave).not.toHaveBeenCalled();
  });

  it('D7: a lost take names the winner from the 409 itself when the stream lags behind', async () => {
    await open(
      routesFor([], {
        'GET /conversations/c1': { body: conversation({ status: 'unassigned', assignee: null }) },
        'POST /conversations/c1/take': { status: 409, body: { error: { code: 'conflict', message: 'Boris has already taken this conversation', takenBy: { id: 'b1', name: 'Boris' } } } },
      }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Start conversation' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Boris took this conversation first.');
  });

  it('D7: a won take shows the composer, and the keyboard goes on there', async () => {
    let taken = false;
    await open(
      routesFor([], {
        'GET /conversations/c1': () => ({ body: taken ? conversation() : conversation({ status: 'unassigned', assignee: null }) }),
        'POST /conversations/c1/take': () => {
          taken = true;
          return { body: conversation() };
        },
      }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Start conversation' }));
    const reply = await screen.findByRole('textbox', { name: 'Message to the client' });
    await waitFor(() => expect(document.activeElement).toBe(reply));
  });

  it('D8: To closed leaves once, even when the stream says so first', async () => {
    let emit: (f: { type: string; data: unknown }) => void = () => undefined;
    const { live, onLeave } = await open(
      routesFor([], {
        'POST /conversations/c1/close': () => {
          emit({ type: 'conversation.updated', data: { id: 'c1', visible: false, by: { id: anna.id, name: 'Anna' } } });
          return { body: conversation({ status: 'closed' }) };
        },
      }),
    );
    emit = (f) => act(() => live.emit(f));
    fireEvent.click(screen.getByRole('button', { name: 'To closed' }));
    await waitFor(() => expect(onLeave).toHaveBeenCalled());
    await new Promise((r) => setTimeout(r, 50));
    expect(onLeave).toHaveBeenCalledTimes(1);
  });

  it('D34: a refused move shows the server’s message and re-reads the conversation', async () => {
    const { api, onLeave } = await open(routesFor([], { 'POST /conversations/c1/close': { status: 403, body: { error: { code: 'forbidden', message: 'Only the assignee may close this conversation' } } } }));
    const reads = api.called('GET', '/conversations/c1').filter((c) => c.path === '/conversations/c1').length;
    fireEvent.click(screen.getByRole('button', { name: 'To closed' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Only the assignee may close this conversation');
    await waitFor(() => expect(api.calls.filter((c) => c.method === 'GET' && c.path === '/conversations/c1').length).toBe(reads + 1));
    expect(onLeave).not.toHaveBeenCalled();
  });

  it('the message checkboxes are one Tab stop, the newest at first; the arrows, Home and End move between them', async () => {
    await open(routesFor([message({ id: 'm1', text: 'one' }), message({ id: 'm2', text: 'two' }), message({ id: 'm3', text: 'three' })]));
    await screen.findByText('three');
    const boxes = screen.getAllByRole('checkbox') as HTMLInputElement[];
    expect(boxes.map((b) => b.tabIndex)).toEqual([-1, -1, 0]);
    boxes[2]!.focus();
    fireEvent.keyDown(boxes[2]!, { key: 'ArrowUp' });
    expect(document.activeElement).toBe(boxes[1]);
    await waitFor(() => expect(boxes.map((b) => b.tabIndex)).toEqual([-1, 0, -1]));
    fireEvent.keyDown(boxes[1]!, { key: 'Home' });
    expect(document.activeElement).toBe(boxes[0]);
    fireEvent.keyDown(boxes[0]!, { key: 'ArrowUp' });
    expect(document.activeElement).toBe(boxes[0]);
    fireEvent.keyDown(boxes[0]!, { key: 'End' });
    expect(document.activeElement).toBe(boxes[2]);
    fireEvent.keyDown(boxes[2]!, { key: ' ' });
    fireEvent.click(boxes[2]!);
    expect(boxes[2]!.checked).toBe(true);
  });

  it('D24: tags the selected messages with a tag created by typing', async () => {
    const { api } = await open(
      routesFor([message({ id: '11111111-1111-4111-8111-111111111111', text: 'complaint one' }), message({ id: '22222222-2222-4222-8222-222222222222', text: 'complaint two' })], {
        'GET /tags': { body: { items: [{ id: 't1', name: 'billing' }] } },
        'POST /conversations/c1/tags': { body: { tag: { id: 't2', name: 'complaint' }, items: [] } },
      }),
    );
    await screen.findByText('complaint one');
    expect((screen.getByRole('button', { name: 'Add Tag' }) as HTMLButtonElement).disabled).toBe(true);
    for (const box of screen.getAllByRole('checkbox')) fireEvent.click(box);
    fireEvent.click(screen.getByRole('button', { name: 'Add Tag (2)' }));
    const dialog = await screen.findByRole('dialog', { name: 'Add Tag' });
    fireEvent.change(within(dialog).getByLabelText('Tag'), { target: { value: 'complaint' } });
    fireEvent.click(await within(dialog).findByRole('button', { name: /Create tag/ }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.called('POST', '/conversations/c1/tags')[0]!.body).toEqual({ messageIds: ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'], tagName: 'complaint' });
    expect(screen.getAllByText('complaint', { selector: '.cv-tags .cv-tag' })).toHaveLength(2);
    expect(screen.getByRole('alert').textContent).toContain('Tag “complaint” added to 2 messages.');

    // Tagged again: nothing changes, and the notice says so.
    for (const box of screen.getAllByRole('checkbox')) fireEvent.click(box);
    fireEvent.click(screen.getByRole('button', { name: 'Add Tag (2)' }));
    const again = await screen.findByRole('dialog', { name: 'Add Tag' });
    fireEvent.change(within(again).getByLabelText('Tag'), { target: { value: 'complaint' } });
    fireEvent.click(await within(again).findByRole('button', { name: /Create tag/ }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('All 2 messages already had tag “complaint”.'));
    expect(screen.getAllByText('complaint', { selector: '.cv-tags .cv-tag' })).toHaveLength(2);
  });

  it('D12: "Conversation log" lists every movement, oldest first, in words with names; earlier pages on demand', async () => {
    const created = { action: 'created', actor: null, from: null, to: { status: 'unassigned', assigneeId: null, groupId: 'g1' }, at: '2026-12-07T09:00:00.000Z', names: { g1: 'Sales' } };
    const taken = { action: 'taken', actor: { id: anna.id, name: 'Anna' }, from: { status: 'unassigned', assigneeId: null, groupId: 'g1' }, to: { status: 'in_progress', assigneeId: anna.id, groupId: 'g1' }, at: '2026-12-07T09:05:00.000Z', names: {} };
    await open(
      routesFor([], {
        'GET /conversations/c1/log': (c: { path: string }) => ({ body: c.path.includes('before=') ? { items: [created], nextCursor: null } : { items: [taken], nextCursor: 'earlier-1' } }),
      }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Conversation log' }));
    const dialog = await screen.findByRole('dialog', { name: 'Conversation log' });
    await within(dialog).findByText('Anna took it');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Show earlier movements' }));
    await within(dialog).findByText(/The client wrote/);
    expect(within(dialog).queryByRole('button', { name: 'Show earlier movements' })).toBeNull();
    const rows = await within(dialog).findAllByRole('listitem');
    expect(rows.map((r) => r.querySelector('span')?.textContent)).toEqual(['The client wrote; waiting in Unassigned, group Sales', 'Anna took it']);
    expect(rows.map((r) => r.querySelector('time')?.getAttribute('datetime'))).toEqual(['2026-12-07T09:00:00.000Z', '2026-12-07T09:05:00.000Z']);
    fireEvent.click(within(dialog).getByText('Close', { selector: 'button' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('D23: sends the selected messages by email and follows queued → sent', async () => {
    let polled = 0;
    const { api } = await open(
      routesFor([message({ id: 'm-a', text: 'pick me' })], {
        'POST /conversations/c1/transcript': { status: 202, body: { id: 'tr1', status: 'queued' } },
        'GET /transcripts/tr1': () => ({ body: { id: 'tr1', status: ++polled > 1 ? 'sent' : 'queued' } }),
      }),
    );
    await screen.findByText('pick me');
    fireEvent.click(screen.getByRole('checkbox'));
    fireEvent.click(screen.getByRole('button', { name: 'Send to Email (1)' }));
    const dialog = await screen.findByRole('dialog', { name: 'Send to Email' });
    expect(document.activeElement).toBe(within(dialog).getByLabelText('To'));
    fireEvent.change(within(dialog).getByLabelText('To'), { target: { value: 'boss@example.com' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Send conversation' }));
    expect((await within(dialog).findByRole('status')).textContent).toContain('Queued');
    await waitFor(() => expect(within(dialog).getByRole('status').textContent).toBe('Sent.'), { timeout: 5000 });
    const body = api.called('POST', '/conversations/c1/transcript')[0]!.body as Record<string, unknown>;
    expect(body).toMatchObject({ to: 'boss@example.com', subject: 'Conversation with Olga Client', messageIds: ['m-a'], timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone });
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('D23: a mail sent while the server refused one recipient says which', async () => {
    await open(
      routesFor([message({ id: 'm-a', text: 'pick me' })], {
        'POST /conversations/c1/transcript': { status: 202, body: { id: 'tr2', status: 'queued' } },
        'GET /transcripts/tr2': () => ({ body: { id: 'tr2', status: 'sent', refusedRecipients: ['gone@example.com'] } }),
      }),
    );
    await screen.findByText('pick me');
    fireEvent.click(screen.getByRole('button', { name: 'Send to Email' }));
    const dialog = await screen.findByRole('dialog', { name: 'Send to Email' });
    fireEvent.change(within(dialog).getByLabelText('To'), { target: { value: 'boss@example.com, gone@example.com' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Send conversation' }));
    await waitFor(() => expect(within(dialog).getByRole('status').textContent).toBe('Sent, but the mail server refused gone@example.com.'), { timeout: 5000 });
  });
});

describe('ConversationPane: client profile', () => {
  it.each([
    ['the holder', { operator: { id: anna.id, name: 'Anna' }, label: 'Detach' }, 'button'],
    ['another operator', { operator: { id: 'b', name: 'Boris' }, label: 'Pinned (Boris)' }, 'text'],
    ['a super_admin', { operator: { id: 'b', name: 'Boris' }, label: 'Detach (assigned to Boris)' }, 'button'],
  ])('D32: shows the server’s label to %s', async (_who, pin, kind) => {
    await open(routesFor([], { 'GET /clients/cl1': { body: clientProfile({ pin }) } }));
    const panel = await screen.findByRole('complementary', { name: 'Client profile' });
    if (kind === 'button') expect(await within(panel).findByRole('button', { name: pin.label })).toBeTruthy();
    else {
      expect(await within(panel).findByText(pin.label)).toBeTruthy();
      expect(within(panel).queryByRole('button', { name: pin.label })).toBeNull();
    }
  });

  it('D17: renames, keeping the original name in view', async () => {
    let name = 'Olga Client';
    const { api } = await open(
      routesFor([], {
        'GET /clients/cl1': () => ({ body: clientProfile({ name }) }),
        'PATCH /clients/cl1': (c: { body: { name: string } }) => {
          name = c.body.name;
          return { body: clientProfile({ name }) };
        },
      }),
    );
    const panel = await screen.findByRole('complementary', { name: 'Client profile' });
    fireEvent.click(await within(panel).findByRole('button', { name: 'Rename' }));
    fireEvent.change(within(panel).getByLabelText('Client name'), { target: { value: 'Olga (VIP)' } });
    fireEvent.click(within(panel).getByRole('button', { name: 'Save' }));
    await within(panel).findByText('Olga (VIP)');
    expect(within(panel).getByText('Olga')).toBeTruthy();
    expect(api.called('PATCH', '/clients/cl1')[0]!.body).toEqual({ name: 'Olga (VIP)' });
  });

  it('closed with its ×, it hands the keyboard back to the button that shows it again', async () => {
    await open(routesFor([]));
    const panel = await screen.findByRole('complementary', { name: 'Client profile' });
    fireEvent.click(within(panel).getByRole('button', { name: 'Close client profile' }));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Show client profile' })));
  });
});
