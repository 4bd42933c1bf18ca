import type { Page } from 'playwright-core';
import { screenshot, waitFor, type HttpClient, type TestSmtpServer } from '@relaydesk/testing';
import { row, tab, UiStand } from './ui-stand';

/**
 * The operator web app in Debian's Chromium against the real services: a webchat client writes,
 * Anna takes and answers him, Boris watches it happen live (issue 8's main flow).
 */
describe('operator web app: the workspace in a browser', () => {
  const client = 'Zoë Wren';
  const scriptText = 'Hello, where is my order? <script>alert("x")</script>';
  let stand: UiStand;
  let anna: Page; // Sales
  let boris: Page; // Sales, conversations.view_all
  let admin: Page;
  let annaApi: HttpClient;
  let smtp: TestSmtpServer;
  const visitorSays = (text: string) => stand.visitorSays(text);

  beforeAll(async () => {
    stand = await UiStand.open(client);
    ({ anna, boris, admin } = stand.pages);
    ({ annaApi, smtp } = stand);
    await annaApi.post('/api/v1/canned-responses', { title: 'Shipping', text: 'Your parcel ships today 📦' });
  }, 120_000);

  afterAll(async () => {
    await stand?.close();
  });

  it('D7, D8, D12, D16, D24, D23: take, reply with Ctrl+Enter and a canned response, tag two messages, mail them, close, read the log; the other operator sees it live', async () => {
    await visitorSays(scriptText);
    await row(anna, client).waitFor();
    await row(boris, client).waitFor();
    await screenshot(anna, 'flow-1-unassigned');

    await row(anna, client).click();
    await anna.getByRole('button', { name: 'Start conversation' }).click();
    // It leaves Boris's Unassigned list at once, with no reload.
    await row(boris, client).waitFor({ state: 'detached' });
    await anna.getByRole('list', { name: 'Messages' }).getByText(scriptText).waitFor();

    const reply = anna.getByLabel('Message to the client');
    await reply.fill('Hi Zoë! Let me check 🙂');
    await reply.press('Control+Enter');
    await anna.getByRole('list', { name: 'Messages' }).getByText('Hi Zoë! Let me check 🙂').waitFor();
    await expectValue(reply, '');

    await reply.fill('/Ship');
    await anna.getByRole('option', { name: /Shipping/ }).waitFor();
    await screenshot(anna, 'flow-2-canned-picker');
    await reply.press('Enter');
    await expectValue(reply, 'Your parcel ships today 📦');
    await reply.press('Control+Enter');
    await anna.getByRole('list', { name: 'Messages' }).getByText('Your parcel ships today 📦').waitFor();

    const sent = await waitFor('two replies stored', async () => {
      const items = (await annaApi.get(`/api/v1/conversations?tab=mine`)).body.items as { id: string }[];
      const history = items[0] ? ((await annaApi.get(`/api/v1/conversations/${items[0].id}/messages`)).body.items as { text: string; direction: string }[]) : [];
      return history.filter((m) => m.direction === 'out').length === 2 ? history : undefined;
    });
    expect(sent.map((m) => m.text)).toEqual([scriptText, 'Hi Zoë! Let me check 🙂', 'Your parcel ships today 📦']);

    const boxes = anna.getByRole('checkbox', { name: /^Select message/ });
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await anna.getByRole('button', { name: /^Add Tag/ }).click();
    await anna.getByLabel('Tag', { exact: true }).fill('Late order');
    await anna.getByRole('button', { name: /Create tag/ }).click();
    await waitFor('two tagged messages', async () => (await anna.getByRole('list', { name: 'Tags' }).filter({ hasText: 'Late order' }).count()) === 2);
    await screenshot(anna, 'flow-3-tagged');

    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await anna.getByRole('button', { name: /^Send to Email/ }).click();
    await anna.getByLabel('To', { exact: true }).fill('boss@example.com');
    await anna.getByLabel('Subject').fill('Zoë’s late order');
    await anna.getByLabel(/Selected messages/).check();
    await anna.getByRole('button', { name: 'Send conversation' }).click();
    await anna.getByRole('status').filter({ hasText: /sent/i }).waitFor();
    await screenshot(anna, 'flow-4-mailed');
    const mail = await waitFor('the mail', async () => smtp.accepted.find((m) => m.subject === 'Zoë’s late order'));
    expect(mail.text).toContain(scriptText);
    expect(mail.text).toContain('Hi Zoë! Let me check 🙂');
    expect(mail.text).not.toContain('Your parcel ships today');
    await anna.keyboard.press('Escape');

    // A new client message shows on Boris's All tab live; then Anna closes and it leaves her inbox.
    await tab(boris, /^All/).click();
    await row(boris, client).waitFor();
    await visitorSays('Thank you!');
    await row(boris, client).filter({ hasText: 'Thank you!' }).waitFor();
    await anna.getByRole('button', { name: 'To closed' }).click();
    await tab(anna, /^My inbox/).click();
    await row(anna, client).waitFor({ state: 'detached' });
    await tab(anna, /^Closed/).click();
    await row(anna, client).waitFor();
    await screenshot(boris, 'flow-5-watching');

    // D12: the conversation's log tells its movements in words.
    await row(anna, client).click();
    await anna.getByRole('button', { name: 'Conversation log' }).click();
    const log = anna.getByRole('dialog', { name: 'Conversation log' });
    await log.getByText('Anna closed it').waitFor();
    expect(await log.getByRole('listitem').allTextContents()).toEqual([
      expect.stringContaining('The client wrote; waiting in Unassigned, group Sales'),
      expect.stringContaining('Anna took it'),
      expect.stringContaining('Anna closed it'),
    ]);
    await screenshot(anna, 'flow-5-log');
    await anna.keyboard.press('Escape');
  });

  it('D32: the pin control says Detach to its holder, Pinned (NAME) to another operator and Detach (assigned to NAME) to a super_admin', async () => {
    const [item] = (await annaApi.get('/api/v1/conversations?tab=closed')).body.items as { id: string; client: { id: string } }[];
    expect((await annaApi.post(`/api/v1/conversations/${item!.id}/reopen`)).status).toBe(200);
    expect((await annaApi.post(`/api/v1/clients/${item!.client.id}/pin`)).status).toBeLessThan(300);
    const labelSeenBy = async (page: Page, tabName: RegExp) => {
      await page.reload();
      await tab(page, tabName).click();
      await row(page, client).click();
      const profile = page.getByRole('button', { name: /^(Show|Hide) client profile$/ });
      await profile.waitFor();
      if ((await profile.getAttribute('aria-expanded')) !== 'true') await profile.click();
      const pinned = page.getByRole('complementary', { name: 'Client profile' }).getByText(/^(Detach|Pinned \()/);
      await pinned.first().waitFor();
      return (await pinned.first().textContent())?.trim();
    };
    expect(await labelSeenBy(anna, /^My inbox/)).toBe('Detach');
    expect(await labelSeenBy(boris, /^All/)).toBe('Pinned (Anna)');
    expect(await labelSeenBy(admin, /^All/)).toBe('Detach (assigned to Anna)');
    // A list row is no control: it says whose client it is, not what a click would do.
    expect(await row(anna, client).textContent()).toContain('Pinned to me');
    expect(await row(admin, client).textContent()).toContain('Pinned (Anna)');
    await screenshot(admin, 'flow-6-pin-super-admin');
  });

  it('D1: the All and Blacklist tabs show only with the permission', async () => {
    await anna.reload();
    await tab(anna, /^Unassigned/).waitFor();
    expect(await tab(anna, /^Blacklist/).count()).toBe(0);
    expect(await tab(anna, /^All/).count()).toBe(0);
    expect(await tab(boris, /^Blacklist/).count()).toBe(1);
  });
});

async function expectValue(box: ReturnType<Page['getByLabel']>, value: string): Promise<void> {
  await waitFor(`the composer to hold "${value}"`, async () => (await box.inputValue()) === value);
}
