import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { HttpClient, loggedInPage, screenshot, waitFor, WhatsappStandIn } from '@relaydesk/testing';
import { row, UiStand } from './ui-stand';

/** The pages and dialogs beside the workspace, in the browser: canned responses (D16), tag analytics (D25), outgoing WhatsApp (D29), and a narrow window. */
describe('operator web app: pages', () => {
  const client = 'Ines Duarte';
  const accessToken = 'wa-access-token-ui';
  let whatsapp: WhatsappStandIn;
  let stand: UiStand;
  let anna: Page;
  let admin: Page;

  beforeAll(async () => {
    whatsapp = await WhatsappStandIn.start({ accessToken, withWhatsApp: ['+4917000000042'] });
    stand = await UiStand.open(client, { FEATURE_OUTGOING_WHATSAPP: 'true' });
    ({ anna, admin } = stand.pages);
    const groupId = (await stand.adminApi.get('/api/v1/groups')).body.items[0].id;
    const settings = { phoneNumberId: '1098765432', accessToken, appSecret: 'app-secret-ui', verifyToken: 'verify-token-ui', apiBaseUrl: whatsapp.apiBaseUrl };
    expect((await stand.adminApi.post('/api/v1/channels', { type: 'whatsapp', name: 'WhatsApp', groupId, settings })).status).toBe(201);
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
    await whatsapp?.stop();
  });

  it('D16: an operator adds a canned response on its page, and it is his personal one', async () => {
    await anna.getByRole('button', { name: 'Canned responses' }).click();
    await anna.getByLabel('Title').fill('Refund delay');
    await anna.getByLabel(/^Text/).fill('Refunds take 3–5 working days 💶');
    await anna.getByRole('button', { name: 'Add response' }).click();
    await anna.getByRole('list', { name: 'Canned responses' }).getByText('Refund delay').waitFor();
    expect(await anna.title()).toBe('Canned responses · Relaydesk');
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

  it('D29: the outgoing dialog checks the number, refuses one without WhatsApp, then starts the conversation in my inbox', async () => {
    await anna.setViewportSize({ width: 1280, height: 800 });
    await anna.getByRole('button', { name: 'New WhatsApp conversation' }).click();
    await anna.getByLabel('Phone number').fill('+49 170 0000099');
    await anna.getByRole('button', { name: 'Check number' }).click();
    await anna.getByText(/has no WhatsApp/).waitFor();
    await anna.getByLabel('Phone number').fill('+49 170 00000042');
    await anna.getByRole('button', { name: 'Check number' }).click();
    await anna.getByLabel('Client name', { exact: true }).fill('Paula Outreach');
    await anna.getByLabel('Message', { exact: true }).fill('Hello Paula, your order is ready 📦');
    await screenshot(anna, 'pages-outgoing-whatsapp');
    await anna.getByRole('button', { name: 'Start conversation' }).click();
    await anna.getByRole('region', { name: 'Conversation with Paula Outreach' }).waitFor();
    const mine = (await stand.annaApi.get('/api/v1/conversations?tab=mine')).body.items as { client: { name: string; channel: string } }[];
    expect(mine.map((i) => [i.client.name, i.client.channel])).toContainEqual(['Paula Outreach', 'whatsapp']);
  });

  it('D27: sent to the black list from the conversation; the client writes on unseen; unlocked from the Blacklist tab, he is back in Unassigned', async () => {
    const boris = stand.pages.boris;
    const says = await stand.visitor('Spammy Sam');
    await says('buy cheap watches');
    await anna.getByRole('tab', { name: /^Unassigned/ }).click();
    await row(anna, 'Spammy Sam').click();
    await anna.getByRole('button', { name: 'Send to the black list' }).click();
    await anna.getByRole('dialog').getByRole('button', { name: 'Send to the black list' }).click();
    await waitFor('gone from Unassigned', async () => (await row(anna, 'Spammy Sam').count()) === 0);
    await says('still here');
    await boris.getByRole('tab', { name: /^Blacklist/ }).click();
    await row(boris, 'Spammy Sam').click();
    await boris.getByRole('button', { name: 'Unlock conversation' }).click();
    await boris.getByRole('dialog').getByRole('button', { name: 'Unlock' }).click();
    await boris.getByRole('tab', { name: /^Unassigned/ }).click();
    await row(boris, 'Spammy Sam').waitFor();
    await row(anna, 'Spammy Sam').waitFor();
  });

  it('D1, D2: the super_admin adds a group and an operator in it on the Team page; the operator logs in with what was typed', async () => {
    expect(await anna.getByRole('button', { name: 'Team' }).count()).toBe(0);
    await admin.getByRole('button', { name: 'Team' }).click();
    await admin.getByLabel('New group').fill('Returns ↩');
    await admin.getByRole('button', { name: 'Add group' }).click();
    await admin.getByText('Added the group Returns ↩.').waitFor();
    await admin.getByRole('button', { name: 'Add operator' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Add operator' });
    await dialog.getByLabel('Name').fill('Rita Řezníčková');
    await dialog.getByLabel('Email').fill('rita@relaydesk.test');
    await dialog.getByLabel('Password').fill('Rita-password');
    await dialog.getByLabel('Returns ↩').check();
    await dialog.getByRole('button', { name: 'Add operator' }).click();
    await admin.getByRole('rowheader', { name: /Rita Řezníčková/ }).waitFor();
    await screenshot(admin, 'pages-team');

    const groups = (await stand.adminApi.get('/api/v1/groups')).body.items as { id: string; name: string }[];
    const rita = ((await stand.adminApi.get('/api/v1/operators')).body.items as { name: string; groupIds: string[]; role: string }[]).find((o) => o.name === 'Rita Řezníčková');
    expect(rita).toMatchObject({ role: 'operator', groupIds: [groups.find((g) => g.name === 'Returns ↩')!.id] });
    const page = await loggedInPage(stand.browser, stand.stack.gateway.url, 'rita@relaydesk.test', 'Rita-password');
    await page.getByRole('tab', { name: /^Unassigned/ }).waitFor();
    expect(await page.getByRole('button', { name: 'Team' }).count()).toBe(0);
    await page.context().close();
  });

  it('D2: the super_admin adds a website chat on the Channels page; a visitor of that site writes, and the group sees it', async () => {
    await admin.getByRole('button', { name: 'Channels' }).click();
    await admin.getByRole('button', { name: 'Add channel' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Add channel' });
    await dialog.getByLabel('Type').selectOption('webchat');
    await dialog.getByLabel('Name').fill('Blog chat 📝');
    await dialog.getByLabel('Default group').selectOption({ label: 'Sales' });
    await dialog.getByLabel(/Sites allowed/).fill('https://blog.example');
    await dialog.getByRole('button', { name: 'Add channel' }).click();
    const item = admin.getByRole('list', { name: 'Channels' }).getByRole('listitem').filter({ hasText: 'Blog chat 📝' });
    await item.getByText(/widget\.js/).waitFor();
    await screenshot(admin, 'pages-channels');

    const channel = ((await stand.adminApi.get('/api/v1/channels')).body.items as { id: string; name: string; widgetTag: string }[]).find((c) => c.name === 'Blog chat 📝')!;
    expect(await item.textContent()).toContain(channel.widgetTag);
    const visitor = new HttpClient(stand.stack.ingestion.url).with({ origin: 'https://blog.example' });
    const { token } = (await visitor.post(`/ingest/v1/webchat/${channel.id}/sessions`, { name: 'Bea Blogreader' })).body;
    expect((await visitor.bearer(token).post(`/ingest/v1/webchat/${channel.id}/messages`, { text: 'Found you on the blog', clientMessageId: 'b-1' })).status).toBe(202);
    await anna.getByRole('button', { name: 'Conversations' }).click();
    await anna.getByRole('tab', { name: /^Unassigned/ }).click();
    await row(anna, 'Bea Blogreader').waitFor();
  });

  it('D1: a permission granted while the workspace is open shows its tabs at once, and taken back hides them, without a reload', async () => {
    await anna.getByRole('button', { name: 'Conversations' }).click();
    await anna.getByRole('tab', { name: /^Unassigned/ }).waitFor();
    expect(await anna.getByRole('tab', { name: /^All/ }).count()).toBe(0);
    const annaId = (await stand.annaApi.get('/api/v1/me')).body.id as string;
    expect((await stand.adminApi.patch(`/api/v1/operators/${annaId}`, { permissions: ['conversations.view_all'] })).status).toBe(200);
    await anna.getByRole('tab', { name: /^All/ }).waitFor();
    await anna.getByRole('tab', { name: /^Blacklist/ }).waitFor();
    expect((await stand.adminApi.patch(`/api/v1/operators/${annaId}`, { permissions: [] })).status).toBe(200);
    await anna.getByRole('tab', { name: /^All/ }).waitFor({ state: 'detached' });
  });

  it('an operator deactivated while working is logged out at once, and told why', async () => {
    const groupId = (await stand.adminApi.get('/api/v1/groups')).body.items[0].id as string;
    const made = await stand.adminApi.post('/api/v1/operators', { name: 'Leo Leaving', email: 'leo@relaydesk.test', password: 'Leo-password', role: 'operator', groupIds: [groupId] });
    const leo = await loggedInPage(stand.browser, stand.stack.gateway.url, 'leo@relaydesk.test', 'Leo-password');
    await leo.getByRole('tab', { name: /^Unassigned/ }).waitFor();
    expect((await stand.adminApi.patch(`/api/v1/operators/${made.body.id}`, { active: false })).status).toBe(200);
    await leo.getByRole('status').filter({ hasText: 'You were logged out: This operator has been deactivated.' }).waitFor({ timeout: 5_000 });
    await leo.getByRole('form', { name: 'Log in' }).waitFor();
    await leo.context().close();
  });

  it('one session per browser: a link opened in a new tab needs no login, and logging out in one tab logs out the other', async () => {
    const first = await loggedInPage(stand.browser, stand.stack.gateway.url, 'anna@relaydesk.test', 'Anna-password');
    const second = await first.context().newPage();
    await second.goto(`${stand.stack.gateway.url}/canned-responses`);
    await second.getByRole('heading', { name: 'Canned responses' }).waitFor();
    await second.getByRole('button', { name: 'Log out' }).click();
    await first.getByRole('form', { name: 'Log in' }).waitFor();
    await first.getByLabel('Email').fill('anna@relaydesk.test');
    await first.getByLabel('Password').fill('Anna-password');
    await first.getByRole('button', { name: 'Log in' }).click();
    await second.getByRole('button', { name: 'Log out' }).waitFor();
    await first.context().close();
  });

  it('an operator changes his own password: both tabs of this browser go on, another browser is logged out and told why; Log out revokes the token', async () => {
    const groupId = (await stand.adminApi.get('/api/v1/groups')).body.items[0].id as string;
    expect((await stand.adminApi.post('/api/v1/operators', { name: 'Mia Moving', email: 'mia@relaydesk.test', password: 'Mia-password', role: 'operator', groupIds: [groupId] })).status).toBe(201);
    const laptop = await loggedInPage(stand.browser, stand.stack.gateway.url, 'mia@relaydesk.test', 'Mia-password');
    const otherTab = await laptop.context().newPage();
    await otherTab.goto(stand.stack.gateway.url);
    await otherTab.getByRole('button', { name: 'Log out' }).waitFor();
    const phone = await loggedInPage(stand.browser, stand.stack.gateway.url, 'mia@relaydesk.test', 'Mia-password');

    await laptop.getByRole('button', { name: 'Account' }).click();
    const dialog = laptop.getByRole('dialog', { name: 'Your account' });
    await dialog.getByLabel('Current password').fill('Mia-password');
    await dialog.getByLabel(/^New password \(at least/).fill('Mia-new-password');
    await dialog.getByLabel('New password again').fill('Mia-new-password');
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Your password is changed' }).waitFor();
    await screenshot(laptop, 'pages-account-password-changed');
    await dialog.getByRole('button', { name: 'Done' }).click();

    await phone.getByRole('status').filter({ hasText: 'the password changed' }).waitFor({ timeout: 10_000 });
    await phone.getByRole('form', { name: 'Log in' }).waitFor();
    const token = await laptop.evaluate<string | null>("localStorage.getItem('relaydesk.token')");
    const meWith = (t: string | null) => new HttpClient(stand.stack.gateway.url).bearer(t ?? '').get('/api/v1/me');
    // Longer than the app waits before a refused token ends a tab's session.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    for (const page of [laptop, otherTab]) {
      expect(await page.getByRole('form', { name: 'Log in' }).count()).toBe(0);
      expect(await page.evaluate<string | null>("localStorage.getItem('relaydesk.token')")).toBe(token);
    }
    expect((await meWith(token)).status).toBe(200);

    await otherTab.getByRole('button', { name: 'Log out' }).click();
    await laptop.getByRole('form', { name: 'Log in' }).waitFor();
    await waitFor('the logged-out token refused', async () => (await meWith(token)).status === 401);
    await laptop.context().close();
    await phone.context().close();
  });

  it('the app runs under its Content-Security-Policy: it is sent, cannot be framed, and no page above reported a violation', async () => {
    const page = await stand.browser.newPage();
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) stand.cspViolations.push(message.text());
    });
    const answer = await page.goto(`${stand.stack.gateway.url}/`);
    await page.getByRole('button', { name: /log in/i }).waitFor();
    expect(answer?.headers()).toMatchObject({ 'content-security-policy': expect.stringContaining("frame-ancestors 'none'"), 'x-frame-options': 'DENY' });
    await page.close();
    expect(stand.cspViolations).toEqual([]);
  });
});

