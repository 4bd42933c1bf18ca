import { createServer, type Server } from 'node:http';
import type { Page } from 'playwright-core';
import { freePort, screenshot, waitFor } from '@relaydesk/testing';
import { UiStand } from './ui-stand';

/** The website chat as a visitor sees it: the widget on a page of an allowed site, in Chromium. */
describe('webchat widget', () => {
  let stand: UiStand;
  let widgetTag: string;
  let channelId: string;
  let visitor: Page;
  let shop: Server;
  // A shop served on this machine, as the test's ingestion is: Chromium lets no public page load from loopback.
  let site: string;

  const openShopPage = (page: Page) => page.goto(`${site}/`);
  const panel = (page: Page) => page.getByRole('dialog', { name: 'Chat' });
  const lines = async (page: Page) => (await panel(page).locator('.line').allTextContents()).map((t) => t.replace(/\d{1,2}:\d{2}.*$/, '').replace(/sending…$/, '').trim());
  const conversationId = () => waitFor('the visitor’s conversation', async () => (await stand.annaApi.get('/api/v1/conversations?tab=unassigned')).body.items.find((i: { client: { name: string } }) => i.client.name === 'Vera Visitor')?.id as string | undefined);

  beforeAll(async () => {
    stand = await UiStand.open('Someone Else');
    const channel = ((await stand.adminApi.get('/api/v1/channels')).body.items as { id: string; widgetTag: string }[])[0]!;
    [channelId, widgetTag] = [channel.id, channel.widgetTag];
    const port = await freePort();
    site = `http://127.0.0.1:${port}`;
    shop = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>Shop</title><h1>Shop</h1>${widgetTag}`));
    await new Promise<void>((resolve) => shop.listen(port, '127.0.0.1', resolve));
    expect((await stand.adminApi.patch(`/api/v1/channels/${channelId}`, { settings: { allowedOrigins: [site] } })).status).toBe(200);
    // The widget lives in a closed shadow root; opened here, so the test can read it.
    const context = await stand.browser.newContext();
    await context.addInitScript({ content: 'const attach = Element.prototype.attachShadow; Element.prototype.attachShadow = function (init) { return attach.call(this, { ...init, mode: "open" }); };' });
    visitor = await context.newPage();

  }, 120_000);

  afterAll(async () => {
    shop?.close();
    await stand?.close();
  });

  it('a visitor starts a chat, writes, and reads the operator’s answer live', async () => {
    await openShopPage(visitor);
    await visitor.getByRole('button', { name: 'Chat' }).click();
    await panel(visitor).getByLabel('Your name').fill('Vera Visitor');
    await panel(visitor).getByRole('button', { name: 'Start chat' }).click();
    await panel(visitor).getByLabel('Message').fill('Is the blue one in stock? 💙');
    await panel(visitor).getByRole('button', { name: 'Send' }).click();
    const id = await conversationId();
    expect((await stand.annaApi.post(`/api/v1/conversations/${id}/take`)).status).toBe(200);
    expect((await stand.annaApi.post(`/api/v1/conversations/${id}/messages`, { text: 'Yes, two left.' })).status).toBe(201);
    await panel(visitor).getByText('Yes, two left.').waitFor();
    expect(await lines(visitor)).toEqual(['Is the blue one in stock? 💙', 'Yes, two left.']);
    await screenshot(visitor, 'widget-chat');
  });

  it('on a page of a site the chat does not allow, the widget says it is not available here, and tells the site owner in the console', async () => {
    const page = await visitor.context().newPage();
    const errors: string[] = [];
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    // The same shop by another name: localhost is another origin than 127.0.0.1 to the browser.
    await page.goto(site.replace('127.0.0.1', 'localhost'));
    await page.getByRole('button', { name: 'Chat' }).click();
    await panel(page).getByLabel('Your name').fill('Walter Wrongsite');
    await panel(page).getByRole('button', { name: 'Start chat' }).click();
    await panel(page).getByText('This chat is not available on this site').waitFor();
    expect(await panel(page).getByText('No connection').count()).toBe(0);
    expect(errors).toContainEqual(expect.stringContaining(`Relaydesk: this chat does not allow pages of ${site.replace('127.0.0.1', 'localhost')}`));
    await page.close();
  });

  it('a page opened while the chat is switched off shows the whole history once the chat is back', async () => {
    expect((await stand.adminApi.patch(`/api/v1/channels/${channelId}`, { enabled: false })).status).toBe(200);
    await visitor.reload();
    await visitor.getByRole('button', { name: 'Chat' }).click();
    await panel(visitor).getByText('closed for now', { exact: true }).waitFor();
    await panel(visitor).getByText('This chat is closed for now: please try again later').waitFor();
    expect((await stand.adminApi.patch(`/api/v1/channels/${channelId}`, { enabled: true })).status).toBe(200);
    const id = (await stand.annaApi.get('/api/v1/conversations?tab=mine')).body.items[0].id as string;
    expect((await stand.annaApi.post(`/api/v1/conversations/${id}/messages`, { text: 'Still there?' })).status).toBe(201);
    await panel(visitor).getByText('Still there?').waitFor({ timeout: 20_000 });
    await waitFor('the history', async () => ((await lines(visitor)).length === 3 ? true : undefined));
    expect(await lines(visitor)).toEqual(['Is the blue one in stock? 💙', 'Yes, two left.', 'Still there?']);
  });

  it('a second tab shows what the visitor writes in the first, live; switching the chat off tells both tabs at once', async () => {
    const secondTab = await visitor.context().newPage();
    await openShopPage(secondTab);
    await secondTab.getByRole('button', { name: 'Chat' }).click();
    await panel(secondTab).getByText('online', { exact: true }).waitFor();
    await panel(visitor).getByLabel('Message').fill('Yes, I am 🙋');
    await panel(visitor).getByRole('button', { name: 'Send' }).click();
    await panel(secondTab).getByText('Yes, I am 🙋').waitFor();
    expect(await lines(secondTab)).toEqual(['Is the blue one in stock? 💙', 'Yes, two left.', 'Still there?', 'Yes, I am 🙋']);

    expect((await stand.adminApi.patch(`/api/v1/channels/${channelId}`, { enabled: false })).status).toBe(200);
    try {
      for (const page of [visitor, secondTab]) {
        await panel(page).getByText('closed for now', { exact: true }).waitFor();
        await panel(page).getByText('This chat is closed for now: please try again later').waitFor();
      }
    } finally {
      expect((await stand.adminApi.patch(`/api/v1/channels/${channelId}`, { enabled: true })).status).toBe(200);
    }
    await panel(secondTab).getByText('online', { exact: true }).waitFor({ timeout: 20_000 });
    expect(await lines(secondTab)).toEqual(['Is the blue one in stock? 💙', 'Yes, two left.', 'Still there?', 'Yes, I am 🙋']);
    await secondTab.close();
  });

  it('D15: the visitor attaches a file with the keyboard, the typed text as its caption: his thread shows it by name and the operator downloads it; a file the chat does not take says why', async () => {
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
    // Asked for before the key is pressed: Chromium hands a chooser over only once Playwright intercepts them.
    const chooser = visitor.waitForEvent('filechooser');
    await panel(visitor).getByText('online', { exact: true }).waitFor();
    await panel(visitor).getByLabel('Message').fill('The scratch 📸');
    const attach = panel(visitor).getByRole('button', { name: 'Attach a file' });
    await attach.focus();
    await visitor.keyboard.press('Enter');
    await (await chooser).setFiles({ name: 'scratch.png', mimeType: 'image/png', buffer: png });
    // A link once the server has kept it and echoed it back with its address.
    await panel(visitor).getByRole('link', { name: /scratch\.png/ }).waitFor();
    expect((await lines(visitor)).at(-1)).toBe(`The scratch 📸\u{1F4CE} scratch.png (${png.length} B)`);
    expect(await panel(visitor).getByLabel('Message').inputValue()).toBe('');

    const id = (await stand.annaApi.get('/api/v1/conversations?tab=mine')).body.items[0].id as string;
    const message = await waitFor('the file for Anna', async () => ((await stand.annaApi.get(`/api/v1/conversations/${id}/messages`)).body.items as any[]).find((m) => m.kind === 'file'));
    expect(message).toMatchObject({ direction: 'in', text: 'The scratch 📸', attachment: { fileName: 'scratch.png', mimeType: 'image/png', size: png.length } });
    expect((await stand.annaApi.download(message.attachment.url)).bytes.equals(png)).toBe(true);

    const again = visitor.waitForEvent('filechooser');
    await attach.focus();
    await visitor.keyboard.press('Enter');
    await (await again).setFiles({ name: 'setup.exe', mimeType: 'application/octet-stream', buffer: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200)]) });
    await panel(visitor).getByText('setup.exe was not sent: Files named .exe are not taken', { exact: true }).waitFor();
    expect((await lines(visitor)).at(-1)).toBe('\u{1F4CE} setup.exe (202 B)not sent: Files named .exe are not taken');
    await screenshot(visitor, 'widget-file');
  });
});
