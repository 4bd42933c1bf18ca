import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AnalyticsPage, type TagAnalytics, type TaggedMessage } from './AnalyticsPage';
import { admin, sessionOf, stubFetch, withSession } from './test-session';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const REFUND = '11111111-1111-4111-8111-111111111111';
const DELIVERY = '22222222-2222-4222-8222-222222222222';

const answer: TagAnalytics = {
  from: '2026-11-30T00:00:00+01:00',
  to: '2026-12-03T00:00:00+01:00',
  interval: 'day',
  tz: 'Europe/Berlin',
  series: [
    {
      tagId: REFUND,
      name: 'Refund',
      points: [
        { at: '2026-11-30T00:00:00+01:00', count: 3 },
        { at: '2026-12-01T00:00:00+01:00', count: 0 },
        { at: '2026-12-02T00:00:00+01:00', count: 5 },
      ],
    },
    {
      tagId: DELIVERY,
      name: 'Delivery',
      points: [
        { at: '2026-11-30T00:00:00+01:00', count: 0 },
        { at: '2026-12-01T00:00:00+01:00', count: 1 },
        { at: '2026-12-02T00:00:00+01:00', count: 0 },
      ],
    },
  ],
  totals: [
    { tagId: REFUND, name: 'Refund', count: 8 },
    { tagId: DELIVERY, name: 'Delivery', count: 1 },
  ],
};

const message = (n: number): TaggedMessage => ({
  messageId: `m${n}`,
  tagId: REFUND,
  createdAt: '2026-12-02T09:30:00.000Z',
  conversationId: `conv-${n}`,
  clientName: `Client ${n}`,
  channel: 'webchat',
  direction: 'in',
  kind: 'text',
  text: `I want my money back (${n})`,
  link: `/api/v1/conversations/conv-${n}`,
});

function stubAnalytics() {
  return stubFetch((url, init) => {
    const accept = new Headers(init.headers).get('accept');
    if (url.pathname === '/api/v1/operators') return { body: { items: [{ id: 'op-1', name: 'Otto' }] } };
    if (url.pathname === '/api/v1/analytics/tags' && accept === 'text/csv') return { text: 'bucket_start,tag_id,tag_name,count\n' };
    if (url.pathname === '/api/v1/analytics/tags') return { body: answer };
    if (url.pathname === `/api/v1/analytics/tags/${REFUND}/messages`) {
      return url.searchParams.get('cursor') === 'next' ? { body: { items: [message(2)], nextCursor: null } } : { body: { items: [message(1)], nextCursor: 'next' } };
    }
    return undefined;
  });
}

const bars = (chart: HTMLElement) => [...chart.querySelectorAll('g.bar-slot')] as HTMLElement[];

describe('AnalyticsPage', () => {
  it('D25: draws a bar per zero-filled point of each tag, with titles and totals, for the last 30 days by day in the browser’s zone', async () => {
    const fetchMock = stubAnalytics();
    const { container } = render(withSession(sessionOf(admin), <AnalyticsPage />));
    const refund = await screen.findByRole('region', { name: /Refund/ });
    expect(bars(refund)).toHaveLength(3);
    expect(refund.querySelectorAll('rect.bar')).toHaveLength(3);
    expect(refund.querySelectorAll('rect.bar.zero')).toHaveLength(1);
    expect(bars(refund).map((b) => b.querySelector('title')?.textContent)).toEqual([expect.stringMatching(/Nov.*: 3 messages$/), expect.stringMatching(/Dec.*: 0 messages$/), expect.stringMatching(/Dec.*: 5 messages$/)]);
    expect(bars(refund)[1]!.getAttribute('aria-label')).toMatch(/: 0 messages$/);
    const delivery = screen.getByRole('region', { name: /Delivery/ });
    expect(bars(delivery).map((b) => b.dataset['count'])).toEqual(['0', '1', '0']);
    // The table view holds the same numbers.
    const rows = within(refund).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.lastElementChild?.textContent)).toEqual(['3', '0', '5']);
    // Totals
    const totals = within(screen.getByRole('region', { name: 'Totals' })).getAllByRole('row');
    expect(totals.map((r) => r.textContent)).toEqual(['TagMessages', 'Refund8', 'Delivery1', 'All tags9']);
    expect(screen.getByRole('status', { name: '' }).textContent).toBeDefined();
    expect(container.textContent).toContain('9 tagged messages in 2 tags');

    const asked = new URL(String(fetchMock.mock.calls.find(([u]) => String(u).startsWith('/api/v1/analytics/tags?'))![0]), 'http://x');
    const from = asked.searchParams.get('from')!;
    const to = asked.searchParams.get('to')!;
    expect((Date.parse(to) - Date.parse(from)) / 86_400_000).toBe(30);
    expect(asked.searchParams.get('interval')).toBe('day');
    expect(asked.searchParams.get('tz')).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });

  it('D25: filters go into the query; a bad time zone is refused before asking, and the old charts go', async () => {
    const fetchMock = stubAnalytics();
    render(withSession(sessionOf(admin), <AnalyticsPage />));
    await screen.findByRole('region', { name: /Refund/ });
    fireEvent.change(screen.getByLabelText('Interval'), { target: { value: 'week' } });
    fireEvent.change(screen.getByLabelText('Group'), { target: { value: 'g2' } });
    fireEvent.change(await screen.findByLabelText('Operator'), { target: { value: 'op-1' } });
    fireEvent.change(screen.getByLabelText('Channel'), { target: { value: 'telegram' } });
    fireEvent.change(screen.getByLabelText('Time zone'), { target: { value: 'Europe/Berlin' } });
    await vi.waitFor(() => {
      const last = new URL(String(fetchMock.mock.calls.filter(([u]) => String(u).startsWith('/api/v1/analytics/tags?')).at(-1)![0]), 'http://x');
      expect(Object.fromEntries(last.searchParams)).toMatchObject({ interval: 'week', groupId: 'g2', operatorId: 'op-1', channel: 'telegram', tz: 'Europe/Berlin' });
    });
    const before = fetchMock.mock.calls.length;
    fireEvent.change(screen.getByLabelText('Time zone'), { target: { value: 'Mars/Olympus' } });
    expect((await screen.findByRole('alert')).textContent).toMatch(/is not a time zone/);
    await new Promise((r) => setTimeout(r, 400));
    expect(fetchMock.mock.calls.length).toBe(before);
    // The charts of the last good query go with it.
    expect(screen.queryByRole('region', { name: /Refund/ })).toBeNull();
  });

  it('D25: Download CSV asks the same query with Accept text/csv and saves tag-analytics.csv', async () => {
    const fetchMock = stubAnalytics();
    const createObjectURL = vi.fn(() => 'blob:csv');
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() }));
    const clicked: HTMLAnchorElement[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
    });
    render(withSession(sessionOf(admin), <AnalyticsPage />));
    await screen.findByRole('region', { name: /Refund/ });
    fireEvent.click(screen.getByRole('button', { name: 'Download CSV' }));
    await vi.waitFor(() => expect(clicked).toHaveLength(1));
    const csvCall = fetchMock.mock.calls.find(([, init]) => new Headers(init?.headers).get('accept') === 'text/csv')!;
    expect(String(csvCall[0])).toMatch(/^\/api\/v1\/analytics\/tags\?from=.*&interval=day&tz=/);
    expect(new Headers(csvCall[1]?.headers).get('authorization')).toBe('Bearer t0k3n');
    expect(clicked[0]!.download).toBe('tag-analytics.csv');
    expect(clicked[0]!.href).toBe('blob:csv');
    const blob = (createObjectURL.mock.calls[0] as unknown as [Blob])[0];
    expect(blob.type).toMatch(/^text\/csv/);
  });

  it('D25: a bar lists the messages of its bucket, pages on, and opens a conversation', async () => {
    const fetchMock = stubAnalytics();
    const onOpenConversation = vi.fn();
    render(withSession(sessionOf(admin), <AnalyticsPage onOpenConversation={onOpenConversation} />));
    const refund = await screen.findByRole('region', { name: /Refund/ });
    fireEvent.click(bars(refund)[1]!);
    const panel = await screen.findByRole('region', { name: /Refund ·.*— 0 messages/ });
    await within(panel).findByText('Client 1');
    const asked = new URL(String(fetchMock.mock.calls.find(([u]) => String(u).includes('/messages'))![0]), 'http://x');
    expect(asked.searchParams.get('from')).toBe('2026-12-01T00:00:00+01:00');
    expect(asked.searchParams.get('to')).toBe('2026-12-02T00:00:00+01:00');

    // The last bar ends with the period; keyboard works too.
    bars(refund)[2]!.focus();
    fireEvent.keyDown(bars(refund)[2]!, { key: 'Enter' });
    const last = await screen.findByRole('region', { name: /Refund ·.*— 5 messages/ });
    await within(last).findByText('Client 1');
    const lastAsked = new URL(String(fetchMock.mock.calls.filter(([u]) => String(u).includes('/messages')).at(-1)![0]), 'http://x');
    expect(lastAsked.searchParams.get('to')).toBe('2026-12-03T00:00:00+01:00');

    fireEvent.click(within(last).getByRole('button', { name: 'Show more' }));
    await within(last).findByText('Client 2');
    expect(within(last).queryByRole('button', { name: 'Show more' })).toBeNull();
    fireEvent.click(within(last).getAllByRole('link', { name: /Open conversation/ })[1]!);
    expect(onOpenConversation).toHaveBeenCalledWith('conv-2');

    fireEvent.keyDown(last, { key: 'Escape' });
    expect(screen.queryByRole('region', { name: /Refund ·.*—/ })).toBeNull();
  });

  it('D25, D34: a 403 from the server is shown plainly', async () => {
    stubFetch((url) => (url.pathname === '/api/v1/analytics/tags' ? { status: 403, body: { error: { code: 'forbidden', message: 'Tag analytics needs the analytics.view permission' } } } : { body: { items: [] } }));
    render(withSession(sessionOf(admin), <AnalyticsPage />));
    expect((await screen.findByRole('alert')).textContent).toContain('Tag analytics needs the analytics.view permission');
  });
});
