import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Api } from '../api/client';
import { ClientPanel, type ClientProfile } from './ClientPanel';
import { clientProfile, renderWithSession, stubApi } from './test-kit';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function Harness({ first }: { first: ClientProfile }) {
  const [client, setClient] = useState(first);
  return <ClientPanel api={new Api('test-token')} client={client} onChanged={setClient} />;
}

describe('ClientPanel', () => {
  it('D19: a note a colleague saved meanwhile is not overwritten: the 409 shows theirs, keeps mine, and a second save is knowing', async () => {
    let stored = 'Company customer';
    const api = stubApi({
      'GET /clients/cl1': () => ({ body: { ...clientProfile(), note: stored } }),
      'PUT /clients/cl1/note': (c) => {
        const { note, previous } = c.body as { note: string; previous: string };
        if (previous !== stored) return { status: 409, body: { error: { code: 'conflict', message: 'A colleague changed this note while you were editing it' } } };
        stored = note;
        return { body: { ...clientProfile(), note } };
      },
    });
    renderWithSession(<Harness first={{ ...clientProfile(), note: '' } as ClientProfile} />);
    const panel = screen.getByRole('complementary', { name: 'Client profile' });
    fireEvent.click(within(panel).getByRole('button', { name: 'Add note' }));
    fireEvent.change(within(panel).getByRole('textbox', { name: 'Client note' }), { target: { value: 'Call back on Tuesday' } });
    fireEvent.click(within(panel).getByRole('button', { name: 'Save note' }));
    expect((await within(panel).findByRole('alert')).textContent).toMatch(/A colleague changed this note/);
    await within(panel).findByText('Company customer');
    expect(within(panel).getByText(/Changed meanwhile by a colleague/)).toBeTruthy();
    expect((within(panel).getByRole('textbox', { name: 'Client note' }) as HTMLTextAreaElement).value).toBe('Call back on Tuesday');
    expect(stored).toBe('Company customer');

    fireEvent.change(within(panel).getByRole('textbox', { name: 'Client note' }), { target: { value: 'Company customer. Call back on Tuesday' } });
    fireEvent.click(within(panel).getByRole('button', { name: 'Save note' }));
    await waitFor(() => expect(stored).toBe('Company customer. Call back on Tuesday'));
    expect(api.called('PUT', '/clients/cl1/note').map((c) => (c.body as { previous: string }).previous)).toEqual(['', 'Company customer']);
    await within(panel).findByRole('button', { name: 'Edit note' });
  });
});
