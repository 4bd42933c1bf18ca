import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { screenshot, waitFor } from '@relaydesk/testing';
import { row, UiStand } from './ui-stand';

/** The pages beside the workspace, in the browser: canned responses (D16), tag analytics (D25), and a narrow window. */
describe('operator web app: pages', () => {
  const client = 'Ines Duarte';
  let stand: UiStand;
  let anna: Page;
  let admin: Page;

  beforeAll(async () => {
    stand = await UiStand.open(client);
    ({ anna, admin } = stand.pages);
    await stand.visitorSays('My refund did not arrive');
    await stand.visitorSays('Still waiting for the refund');
    const ids: string[] = await waitFor('both messages stored', async () => {
      const [item] = (await stand.annaApi.get('/api/v1/conversations?tab=unassigned')).body.items as { id: string }[];
      const messages = item ? ((await stand.annaApi.get(`/api/v1/conversations/${item.id}/messages`)).body.items as { id: string }[]) : [];
      return messages.length === 2 ? [item!.id, ...messages.map((m) => m.id)] : undefined;
    });
    const [conversation, ...messageIds] = ids;
    expect((await stand.annaApi.post(`/api/v1/conversations/${conversation}/tags`, { messageIds, tagName: 'Refund' })).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await stand?.close();
  });

  it('D16: an operator adds a canned response on its page, and it is his personal one', async () => {
    await anna.getByRole('button', { name: 'Canned responses' }).click();
    await anna.getByLabel('Title').fill('Refund delay');
    await anna.getByLabel(/^Text/).fill('Refunds take 3–5 working days 💶');
    await anna.getByRole('button', { name: 'Add response' }).click();
    await anna.getByRole('list', { name: 'Canned responses' }).getByText('Refund delay').waitFor();
    await screenshot(anna, 'pages-canned-responses');
    const mine = (await stand.annaApi.get('/api/v1/canned-responses')).body.items as { title: string; scope: string }[];
    expect(mine).toEqual([expect.objectContaining({ title: 'Refund delay', scope: 'personal' })]);
  });

  it('D25: the analytics page draws the tag, downloads CSV, and opens the conversation behind a bar', async () => {
    await admin.getByRole('button', { name: 'Tag analytics' }).click();
    const bar = admin.getByRole('button', { name: /: 2 messages$/ });
    await bar.waitFor();
    await screenshot(admin, 'pages-tag-analytics');

    const download = admin.waitForEvent('download');
    await admin.getByRole('button', { name: 'Download CSV' }).click();
    const csv = await readFile(await (await download).path(), 'utf8');
    expect(csv.split(/\r?\n/)[0]).toBe('bucket_start,tag_id,tag_name,count');
    expect(csv).toMatch(/,Refund,2/);

    await bar.click();
    await admin.getByText('Still waiting for the refund').waitFor();
    await admin.getByRole('link', { name: /Open conversation/ }).first().click();
    await admin.getByRole('region', { name: `Conversation with ${client}` }).waitFor();
  });

  it('works in a narrow window: the list, then the conversation with a way back', async () => {
    await anna.setViewportSize({ width: 390, height: 800 });
    await anna.getByRole('button', { name: 'Conversations' }).click();
    await row(anna, client).click();
    await anna.getByRole('region', { name: `Conversation with ${client}` }).waitFor();
    await screenshot(anna, 'narrow-conversation');
    const width = await anna.evaluate<number>('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(390);
    await anna.getByRole('button', { name: /Back to the list/ }).click();
    await row(anna, client).waitFor();
  });
});
