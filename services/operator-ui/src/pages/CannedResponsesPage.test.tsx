import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CannedResponsesPage, type CannedResponse } from './CannedResponsesPage';
import { admin, operator, sessionOf, stubFetch, withSession } from './test-session';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const globalOne: CannedResponse = { id: 'c1', title: 'Greeting', text: 'Hello! How can I help? 👋', scope: 'global', ownerId: admin.id };
const mineOne: CannedResponse = { id: 'c2', title: 'Refund steps', text: 'Send us the order number.', scope: 'personal', ownerId: operator.id };

function bodyOf(init: RequestInit): unknown {
  return JSON.parse(String(init.body));
}

describe('CannedResponsesPage', () => {
  it('D16: lists global and personal responses, says which are global, and lets an operator change only his own', async () => {
    stubFetch((url) => (url.pathname === '/api/v1/canned-responses' ? { body: { items: [globalOne, mineOne], nextCursor: null } } : undefined));
    render(withSession(sessionOf(operator), <CannedResponsesPage />));
    const list = await screen.findByRole('list', { name: 'Canned responses' });
    const [first, second] = await within(list).findAllByRole('listitem');
    expect(within(first!).getByText('Global')).toBeTruthy();
    expect(within(first!).queryByRole('button', { name: /Edit/ })).toBeNull();
    expect(within(second!).getByText('Personal')).toBeTruthy();
    expect(within(second!).getByRole('button', { name: 'Edit “Refund steps”' })).toBeTruthy();
    expect(screen.getByText(/Responses you add are personal/)).toBeTruthy();
  });

  it('D16: creates, edits and deletes one, with the server’s answers, and shows a refusal plainly', async () => {
    let items = [globalOne];
    const fetchMock = stubFetch((url, init) => {
      const method = init.method ?? 'GET';
      if (method === 'GET' && url.pathname === '/api/v1/canned-responses') return { body: { items, nextCursor: null } };
      if (method === 'POST' && url.pathname === '/api/v1/canned-responses') {
        const created = { id: 'c9', ...(bodyOf(init) as object), scope: 'global', ownerId: admin.id } as CannedResponse;
        items = [...items, created];
        return { status: 201, body: created };
      }
      if (method === 'PATCH' && url.pathname === '/api/v1/canned-responses/c9') return { body: { ...items[1], ...(bodyOf(init) as object) } };
      if (method === 'DELETE' && url.pathname === '/api/v1/canned-responses/c9') return { status: 204 };
      if (method === 'DELETE' && url.pathname === '/api/v1/canned-responses/c1') return { status: 403, body: { error: { code: 'forbidden', message: 'Only a super_admin may delete a global canned response' } } };
      return undefined;
    });
    render(withSession(sessionOf(admin), <CannedResponsesPage />));
    await screen.findByText('Greeting');
    expect(screen.getByText(/Responses you add are global/)).toBeTruthy();

    // Create
    const form = screen.getByRole('form', { name: 'New global response' });
    fireEvent.change(within(form).getByLabelText('Title'), { target: { value: '  Bye ' } });
    fireEvent.change(within(form).getByLabelText(/^Text/), { target: { value: 'Have a nice day 🌞' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Add response' }));
    await screen.findByText('Bye');
    const post = fetchMock.mock.calls.find(([, init]) => init?.method === 'POST')!;
    expect(bodyOf(post[1]!)).toEqual({ title: 'Bye', text: 'Have a nice day 🌞' });
    expect((within(form).getByLabelText('Title') as HTMLInputElement).value).toBe('');

    // Edit: only the changed field is sent
    fireEvent.click(screen.getByRole('button', { name: 'Edit “Bye”' }));
    const edit = screen.getByRole('form', { name: 'Edit “Bye”' });
    fireEvent.change(within(edit).getByLabelText(/^Text/), { target: { value: 'See you soon' } });
    fireEvent.click(within(edit).getByRole('button', { name: 'Save' }));
    await vi.waitFor(() => expect(screen.queryByRole('form', { name: 'Edit “Bye”' })).toBeNull());
    expect(screen.getByText('See you soon', { selector: 'p' })).toBeTruthy();
    const patch = fetchMock.mock.calls.find(([, init]) => init?.method === 'PATCH')!;
    expect(String(patch[0])).toBe('/api/v1/canned-responses/c9');
    expect(bodyOf(patch[1]!)).toEqual({ text: 'See you soon' });

    // Delete, after confirming
    fireEvent.click(screen.getByRole('button', { name: 'Delete “Bye”' }));
    fireEvent.click(screen.getByRole('button', { name: 'Yes, delete' }));
    await vi.waitFor(() => expect(screen.queryByText('See you soon', { selector: 'p' })).toBeNull());
    expect(fetchMock.mock.calls.some(([url, init]) => init?.method === 'DELETE' && String(url) === '/api/v1/canned-responses/c9')).toBe(true);

    // A refusal is said plainly and the item stays
    fireEvent.click(screen.getByRole('button', { name: 'Delete “Greeting”' }));
    fireEvent.click(screen.getByRole('button', { name: 'Yes, delete' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Only a super_admin may delete a global canned response');
    expect(screen.getByText('Greeting')).toBeTruthy();
  });

  it('D16: looks up by the start of a title or text with q', async () => {
    const fetchMock = stubFetch((url) => (url.pathname === '/api/v1/canned-responses' ? { body: { items: url.searchParams.get('q') ? [mineOne] : [globalOne, mineOne], nextCursor: null } } : undefined));
    render(withSession(sessionOf(operator), <CannedResponsesPage />));
    await screen.findByText('Greeting');
    fireEvent.change(screen.getByLabelText('Find'), { target: { value: 'ref' } });
    await vi.waitFor(() => expect(screen.queryByText('Greeting')).toBeNull());
    expect(fetchMock.mock.calls.some(([url]) => String(url).includes('q=ref'))).toBe(true);
  });

  it('D34: an edit refused with 404 says so and drops the response from the list', async () => {
    stubFetch((url, init) => {
      if ((init.method ?? 'GET') === 'GET') return { body: { items: [mineOne], nextCursor: null } };
      return { status: 404, body: { error: { code: 'not_found', message: 'Canned response not found' } } };
    });
    render(withSession(sessionOf(operator), <CannedResponsesPage />));
    fireEvent.click(await screen.findByRole('button', { name: 'Edit “Refund steps”' }));
    fireEvent.change(within(screen.getByRole('form', { name: 'Edit “Refund steps”' })).getByLabelText('Title'), { target: { value: 'Refunds' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await vi.waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/no longer exists: Canned response not found/));
    expect(screen.queryByText('Send us the order number.')).toBeNull();
  });
});
