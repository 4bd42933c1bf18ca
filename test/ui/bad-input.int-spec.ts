import type { Page } from 'playwright-core';
import { screenshot, waitFor, type HttpClient } from '@relaydesk/testing';
import { row, UiStand } from './ui-stand';

type Message = { direction: string; kind: string; text: string | null };

/** Issue 8's bad input in the browser: files refused before upload, a send whose answer is lost, a take lost to a colleague, long and hostile text. */
describe('operator web app: bad input', () => {
  const client = 'Олег ‏שלום 🙂';
  let stand: UiStand;
  let anna: Page;
  let annaApi: HttpClient;
  let conversationId: string;
  const history = async (): Promise<Message[]> => (await annaApi.get(`/api/v1/conversations/${conversationId}/messages`)).body.items;

  beforeAll(async () => {
    stand = await UiStand.open(client);
    ({ anna } = stand.pages);
    annaApi = stand.annaApi;
    await stand.visitorSays('x'.repeat(3000));
    await row(anna, client).click();
    await anna.getByRole('button', { name: 'Start conversation' }).click();
    await anna.getByLabel('Message to the client').waitFor();
    conversationId = (await annaApi.get('/api/v1/conversations?tab=mine')).body.items[0].id;
  }, 120_000);

  afterAll(async () => {
    await stand?.close();
  });

  it('D15: a file of a forbidden type or over the channel’s limit is refused with a clear message, before any upload', async () => {
    const uploads: string[] = [];
    anna.on('request', (r) => r.method() === 'POST' && r.url().endsWith('/messages') && uploads.push(r.url()));
    const attach = anna.getByLabel('Attach file');
    await attach.setInputFiles({ name: 'setup.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') });
    await anna.getByRole('alert').filter({ hasText: /does not take \.exe/ }).waitFor();
    await attach.setInputFiles({ name: 'scan.png', mimeType: 'image/png', buffer: Buffer.alloc(11 * 1024 * 1024, 1) });
    await anna.getByRole('alert').filter({ hasText: /up to 10 MB/ }).waitFor();
    await screenshot(anna, 'bad-input-file-refused');
    expect(uploads).toEqual([]);
    expect((await history()).filter((m) => m.direction === 'out')).toEqual([]);
  });

  it('D15: the answer of a send is lost on the way back: the text stays, and sending again stores one message, not two', async () => {
    let dropped = false;
    await anna.route('**/api/v1/conversations/*/messages', async (route) => {
      if (route.request().method() !== 'POST' || dropped) return route.fallback();
      dropped = true;
      await route.fetch(); // the server stores it…
      await route.abort('connectionreset'); // …and the answer never arrives
    });
    const reply = anna.getByLabel('Message to the client');
    await reply.fill('Sent once, whatever the network does');
    await reply.press('Control+Enter');
    await anna.getByRole('alert').filter({ hasText: /connection/i }).waitFor();
    expect(await reply.inputValue()).toBe('Sent once, whatever the network does');
    await reply.press('Control+Enter');
    await waitFor('the composer emptied', async () => (await reply.inputValue()) === '');
    await anna.unroute('**/api/v1/conversations/*/messages');
    const sent = (await history()).filter((m) => m.direction === 'out' && m.kind === 'text');
    expect(sent.map((m) => m.text)).toEqual(['Sent once, whatever the network does']);
  });

  it('D7: a take lost to a colleague says so plainly and the screen stays consistent', async () => {
    await stand.visitorSays('Anyone there?');
    const second = 'Second visitor';
    await (await stand.visitor(second))('I need help too');
    await anna.getByRole('tab', { name: /^Unassigned/ }).click(); // the take before this suite moved Anna to My inbox
    await row(anna, second).click();
    await anna.getByRole('button', { name: 'Start conversation' }).waitFor();
    const id = (await annaApi.get('/api/v1/conversations?tab=unassigned')).body.items.find((i: { client: { name: string } }) => i.client.name === second).id;
    const boris = stand.pages.boris;
    await row(boris, second).click();
    await boris.getByRole('button', { name: 'Start conversation' }).click();
    await anna.getByRole('button', { name: 'Start conversation' }).click({ timeout: 2_000 }).catch(() => undefined);
    await anna.getByRole('alert').filter({ hasText: /Boris (took|moved) this conversation/ }).or(anna.getByText('Choose a conversation')).first().waitFor();
    await waitFor('gone from Anna’s Unassigned', async () => (await row(anna, second).count()) === 0);
    expect((await annaApi.get(`/api/v1/conversations/${id}`)).status).toBe(404);
  });

  it('a 200-character name, markup, right-to-left text and a 4000-character word stay text, inside the window', async () => {
    const longName = `${'Bartholomew'.repeat(18)}-Ximénez`.slice(0, 200);
    const markup = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    const rtl = 'مرحبا، أين طلبي؟';
    const say = await stand.visitor(longName);
    for (const text of [markup, rtl, 'W'.repeat(4000)]) await say(text);
    await anna.getByRole('tab', { name: /^Unassigned/ }).click();
    await row(anna, longName.slice(0, 40)).click();
    await anna.getByRole('button', { name: 'Start conversation' }).waitFor();
    const historyText = anna.locator('.cv-text');
    // The newest can come by the stream before the history's first page is back: wait for both.
    await historyText.filter({ hasText: 'W'.repeat(100) }).waitFor();
    await historyText.filter({ hasText: markup }).waitFor();
    expect(await historyText.filter({ hasText: markup }).count()).toBe(1);
    expect(await historyText.filter({ hasText: rtl }).getAttribute('dir')).toBe('auto');
    expect(await anna.locator('img[src="x"], .cv-pane script').count()).toBe(0);
    const overflow = await anna.evaluate<{ page: number; list: number }>(`(() => {
      const list = document.querySelector('[role="listbox"]');
      return { page: document.documentElement.scrollWidth - window.innerWidth, list: list.scrollWidth - list.clientWidth };
    })()`);
    expect(overflow).toEqual({ page: 0, list: 0 });
    await screenshot(anna, 'bad-input-long-and-markup');
  });
});
