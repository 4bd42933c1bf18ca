import { readFileSync } from 'node:fs';
import type { AxeResults, ElementContext, Result, RunOptions } from 'axe-core';
import type { Page } from 'playwright-core';
import { waitFor, WhatsappStandIn } from '@relaydesk/testing';
import { row, tab, UiStand } from './ui-stand';

const axeSource = readFileSync(require.resolve('axe-core'), 'utf8');
const wcag21aaTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
type PageWithAxe = { axe: { run: (context: ElementContext, options: RunOptions) => Promise<AxeResults> } };

/** One line per violation: what to fix, and where (the first few elements axe found it on). */
function whatToFix(violation: Result): string {
  // A target inside a shadow root is [host, inner]: "host >>> inner".
  const targets = violation.nodes.slice(0, 3).map((node) => [node.target].flat(2).join(' >>> '));
  const more = violation.nodes.length > 3 ? ` and ${violation.nodes.length - 3} more` : '';
  return `${violation.id} (${violation.impact}): ${violation.help}; at ${targets.join(', ')}${more}`;
}

/**
 * Runs axe-core with the WCAG 2.1 A and AA rules on what `page` shows now, or only inside the
 * element `within` selects (a dialog: the screen behind it is audited on its own); prints the minor
 * and moderate violations it found, and answers the serious and critical ones, named with `screen`.
 */
async function audit(page: Page, screen: string, within?: string): Promise<string[]> {
  // Not page.addScriptTag: it adds an inline <script>, which the app's CSP (script-src 'self')
  // refuses. page.evaluate runs over the DevTools protocol, which the page's CSP does not govern.
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(axeSource);
  const violations = await page.evaluate(
    ({ within, tags }) => (globalThis as unknown as PageWithAxe).axe.run(within, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }).then((results) => results.violations),
    { within: within ?? 'html', tags: wcag21aaTags },
  );
  const minor = violations.filter((v) => v.impact === 'minor' || v.impact === 'moderate');
  console.info(`${screen}: ${minor.length} minor or moderate violation(s)${minor.map((v) => `\n  ${whatToFix(v)}`).join('')}`);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${screen}: ${whatToFix(v)}`);
}

/**
 * An accessibility audit (WCAG 2.1 A and AA, by axe-core) of every screen of the operator web app
 * and of the website chat widget: none may have a serious or critical violation.
 */
describe('accessibility', () => {
  const client = 'Olivia Audit';
  const accessToken = 'wa-access-token-a11y';
  let whatsapp: WhatsappStandIn;
  let stand: UiStand;
  let anna: Page;
  let admin: Page;

  const conversation = () => anna.getByRole('region', { name: `Conversation with ${client}` });
  const dialog = (page: Page, name: string) => page.getByRole('dialog', { name });
  const closeDialog = async (page: Page, name: string) => {
    await page.keyboard.press('Escape');
    await dialog(page, name).waitFor({ state: 'detached' });
  };

  beforeAll(async () => {
    whatsapp = await WhatsappStandIn.start({ accessToken, withWhatsApp: ['+4917000000042'] });
    stand = await UiStand.open(client, { FEATURE_OUTGOING_WHATSAPP: 'true' });
    ({ anna, admin } = stand.pages);
    const { annaApi, adminApi } = stand;
    const groupId = (await adminApi.get('/api/v1/groups')).body.items[0].id;
    const settings = { phoneNumberId: '1098765432', accessToken, appSecret: 'app-secret-a11y', verifyToken: 'verify-token-a11y', apiBaseUrl: whatsapp.apiBaseUrl };
    expect((await adminApi.post('/api/v1/channels', { type: 'whatsapp', name: 'WhatsApp', groupId, settings })).status).toBe(201);

    // Olivia's conversation, in Anna's inbox: the client's messages (tagged), Anna's reply, a note, an image and a PDF.
    await stand.visitorSays('My parcel arrived damaged');
    await stand.visitorSays('The box was open, see the photo I will send');
    const id: string = await waitFor('Olivia’s messages stored', async () => {
      const [item] = (await annaApi.get('/api/v1/conversations?tab=unassigned')).body.items as { id: string }[];
      const messages = item ? ((await annaApi.get(`/api/v1/conversations/${item.id}/messages`)).body.items as { id: string }[]) : [];
      return messages.length === 2 ? item!.id : undefined;
    });
    const messageIds = ((await annaApi.get(`/api/v1/conversations/${id}/messages`)).body.items as { id: string }[]).map((m) => m.id);
    expect((await annaApi.post(`/api/v1/conversations/${id}/tags`, { messageIds, tagName: 'Damaged' })).status).toBe(200);
    expect((await annaApi.post(`/api/v1/conversations/${id}/take`)).status).toBe(200);
    expect((await annaApi.post(`/api/v1/conversations/${id}/messages`, { text: 'Sorry to hear that! We send a new one today.' })).status).toBe(201);
    expect((await annaApi.post(`/api/v1/conversations/${id}/notes`, { text: 'Courier damage: claim with the carrier' })).status).toBe(201);
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');
    for (const [bytes, type, fileName] of [[png, 'image/png', 'label.png'], [pdf, 'application/pdf', 'Return form.pdf']] as const) {
      const form = new FormData();
      form.append('file', new Blob([bytes], { type }), fileName);
      expect((await annaApi.postForm(`/api/v1/conversations/${id}/messages`, form)).status).toBe(201);
    }
    expect((await annaApi.post('/api/v1/canned-responses', { title: 'New parcel', text: 'A new parcel is on its way 📦' })).status).toBe(201);

    // Two more visitors wait in Unassigned.
    await (await stand.visitor('Pablo Waiting'))('Do you ship to Spain?');
    await (await stand.visitor('Quinn Waiting'))('Hello?');
    await waitFor('both waiting', async () => (await annaApi.get('/api/v1/conversations?tab=unassigned')).body.items.length === 2);
  }, 120_000);

  afterAll(async () => {
    await stand?.close();
    await whatsapp?.stop();
  });

  it('the login page, and its refusal', async () => {
    const found: string[] = [];
    const page = await stand.browser.newPage();
    await page.goto(stand.stack.gateway.url);
    await page.getByRole('form', { name: 'Log in' }).waitFor();
    found.push(...(await audit(page, 'login')));
    await page.getByLabel('Email').fill('anna@relaydesk.test');
    await page.getByLabel('Password').fill('not-her-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').waitFor();
    found.push(...(await audit(page, 'login, refused')));
    await page.close();
    expect(found).toEqual([]);
  });

  it('the workspace: the Unassigned list, and a conversation there in preview', async () => {
    const found: string[] = [];
    await tab(anna, /^Unassigned/).click();
    await row(anna, 'Pablo Waiting').waitFor();
    await row(anna, 'Quinn Waiting').waitFor();
    found.push(...(await audit(anna, 'workspace, Unassigned')));
    await row(anna, 'Pablo Waiting').click();
    await anna.getByRole('region', { name: 'Conversation with Pablo Waiting' }).getByText('Do you ship to Spain?').waitFor();
    found.push(...(await audit(anna, 'workspace, Unassigned, a conversation in preview')));
    expect(found).toEqual([]);
  });

  it('the workspace: search results', async () => {
    const found: string[] = [];
    const search = anna.getByLabel('Search conversations by client name or message');
    await search.fill('parcel');
    await anna.getByRole('list', { name: 'Search results' }).waitFor();
    found.push(...(await audit(anna, 'workspace, search results')));
    await search.fill('');
    expect(found).toEqual([]);
  });

  it('the workspace of an operator with the All tab and its filters', async () => {
    const found: string[] = [];
    const boris = stand.pages.boris;
    await tab(boris, /^All/).click();
    await row(boris, client).waitFor();
    await boris.getByLabel('Filter by operator').waitFor();
    found.push(...(await audit(boris, 'workspace, All')));
    expect(found).toEqual([]);
  });

  it('the workspace: My inbox with the conversation open (messages, a note, files, tags, the client profile)', async () => {
    const found: string[] = [];
    await tab(anna, /^My inbox/).click();
    await row(anna, client).click();
    await conversation().getByText('Courier damage: claim with the carrier').waitFor();
    await conversation().getByRole('img', { name: 'label.png' }).waitFor();
    await conversation().getByText('Return form.pdf').waitFor();
    const profile = anna.getByRole('button', { name: /^(Show|Hide) client profile$/ });
    if ((await profile.getAttribute('aria-expanded')) !== 'true') await profile.click();
    await anna.getByRole('complementary', { name: 'Client profile' }).waitFor();
    found.push(...(await audit(anna, 'workspace, My inbox, open conversation')));
    expect(found).toEqual([]);
  });

  it('the reply box: the emoji picker, the canned responses, an internal note', async () => {
    const found: string[] = [];
    await conversation().getByRole('button', { name: 'Emoji' }).click();
    await conversation().getByRole('group', { name: 'Emoji' }).waitFor();
    found.push(...(await audit(anna, 'reply box, emoji picker')));
    await anna.keyboard.press('Escape');

    const reply = conversation().getByLabel('Message to the client');
    await reply.fill('/');
    await conversation().getByRole('option', { name: /New parcel/ }).waitFor();
    found.push(...(await audit(anna, 'reply box, canned responses')));
    await reply.press('Escape');
    await reply.fill('');

    await conversation().getByRole('button', { name: 'Internal note' }).click();
    await conversation().getByLabel('Internal note').fill('Check the warehouse');
    found.push(...(await audit(anna, 'reply box, an internal note')));
    await conversation().getByLabel('Internal note').fill('');
    await conversation().getByRole('button', { name: 'Reply to client' }).click();
    expect(found).toEqual([]);
  });

  it('the conversation’s dialogs', async () => {
    const found: string[] = [];
    await conversation().getByRole('checkbox').first().check();
    const dialogs: [button: string | RegExp, title: string][] = [
      ['Assign to operator', 'Assign to operator'],
      ['Assign to group', 'Assign to group'],
      [/^Send to Email/, 'Send to Email'],
      [/^Add Tag/, 'Add Tag'],
      ['Conversation log', 'Conversation log'],
      ['Send to the black list', 'Send to the black list'],
    ];
    for (const [button, title] of dialogs) {
      await conversation().getByRole('group', { name: 'Conversation actions' }).getByRole('button', { name: button }).click();
      await dialog(anna, title).waitFor();
      found.push(...(await audit(anna, `dialog “${title}”`, '[role="dialog"]')));
      await closeDialog(anna, title);
    }
    expect(found).toEqual([]);
  });

  it('the outgoing WhatsApp dialog, both steps', async () => {
    const found: string[] = [];
    await anna.getByRole('button', { name: 'New WhatsApp conversation' }).click();
    const outgoing = dialog(anna, 'New WhatsApp conversation');
    await outgoing.getByLabel('Phone number').waitFor();
    found.push(...(await audit(anna, 'dialog “New WhatsApp conversation”, the number', '[role="dialog"]')));
    await outgoing.getByLabel('Phone number').fill('+49 170 00000042');
    await outgoing.getByRole('button', { name: 'Check number' }).click();
    await outgoing.getByLabel('Client name', { exact: true }).waitFor();
    found.push(...(await audit(anna, 'dialog “New WhatsApp conversation”, the details', '[role="dialog"]')));
    await closeDialog(anna, 'New WhatsApp conversation');
    expect(found).toEqual([]);
  });

  it('the Account dialog', async () => {
    const found: string[] = [];
    await anna.getByRole('button', { name: 'Account' }).click();
    await dialog(anna, 'Your account').waitFor();
    found.push(...(await audit(anna, 'dialog “Your account”', '[role="dialog"]')));
    await closeDialog(anna, 'Your account');
    expect(found).toEqual([]);
  });

  it('the canned responses page', async () => {
    const found: string[] = [];
    await anna.getByRole('button', { name: 'Canned responses' }).click();
    await anna.getByRole('list', { name: 'Canned responses' }).getByRole('heading', { name: 'New parcel' }).waitFor();
    found.push(...(await audit(anna, 'canned responses')));
    expect(found).toEqual([]);
  });

  it('the tag analytics page, with a bar’s messages open', async () => {
    const found: string[] = [];
    await admin.getByRole('button', { name: 'Tag analytics' }).click();
    const bar = admin.getByRole('button', { name: /: 2 messages$/ });
    await bar.waitFor();
    found.push(...(await audit(admin, 'tag analytics')));
    await bar.click();
    await admin.getByText('My parcel arrived damaged').waitFor();
    found.push(...(await audit(admin, 'tag analytics, a bar’s messages')));
    expect(found).toEqual([]);
  });

  it('the Team page and its dialog', async () => {
    const found: string[] = [];
    await admin.getByRole('button', { name: 'Team' }).click();
    await admin.getByRole('rowheader', { name: /Anna/ }).waitFor();
    found.push(...(await audit(admin, 'team')));
    await admin.getByRole('button', { name: 'Add operator' }).click();
    await dialog(admin, 'Add operator').waitFor();
    found.push(...(await audit(admin, 'dialog “Add operator”', '[role="dialog"]')));
    await closeDialog(admin, 'Add operator');
    expect(found).toEqual([]);
  });

  it('the Channels page and its dialog', async () => {
    const found: string[] = [];
    await admin.getByRole('button', { name: 'Channels' }).click();
    await admin.getByRole('list', { name: 'Channels' }).getByText('Shop chat').waitFor();
    found.push(...(await audit(admin, 'channels')));
    await admin.getByRole('button', { name: 'Add channel' }).click();
    await dialog(admin, 'Add channel').waitFor();
    found.push(...(await audit(admin, 'dialog “Add channel”', '[role="dialog"]')));
    await closeDialog(admin, 'Add channel');
    expect(found).toEqual([]);
  });

  it('a phone-width window: the list, then the open conversation', async () => {
    const found: string[] = [];
    await anna.setViewportSize({ width: 390, height: 800 });
    try {
      await anna.getByRole('button', { name: 'Conversations' }).click();
      await tab(anna, /^My inbox/).click();
      await row(anna, client).waitFor();
      found.push(...(await audit(anna, 'narrow, the list')));
      await row(anna, client).click();
      await conversation().getByText('Courier damage: claim with the carrier').waitFor();
      found.push(...(await audit(anna, 'narrow, the conversation')));
    } finally {
      await anna.setViewportSize({ width: 1280, height: 800 });
    }
    expect(found).toEqual([]);
  });

  it('the website chat widget on its demo page: asking the name, the chat, then closed with a reply unread', async () => {
    const found: string[] = [];
    const channel = ((await stand.adminApi.get('/api/v1/channels')).body.items as { id: string; name: string }[]).find((c) => c.name === 'Shop chat')!;
    // The widget lives in a closed shadow root, which axe cannot enter; opened here.
    const context = await stand.browser.newContext();
    await context.addInitScript({ content: 'const attach = Element.prototype.attachShadow; Element.prototype.attachShadow = function (init) { return attach.call(this, { ...init, mode: "open" }); };' });
    const page = await context.newPage();
    await page.goto(`${stand.stack.ingestion.url}/ingest/v1/webchat/${channel.id}/demo`);
    const panel = page.getByRole('dialog', { name: 'Chat' });
    await panel.getByLabel('Your name').waitFor();
    found.push(...(await audit(page, 'widget, asking the name')));

    await panel.getByLabel('Your name').fill('Rosa Widget');
    await panel.getByRole('button', { name: 'Start chat' }).click();
    await panel.getByLabel('Message').fill('Is the red one back in stock?');
    await panel.getByRole('button', { name: 'Send' }).click();
    const id = await waitFor('Rosa’s conversation', async () => ((await stand.annaApi.get('/api/v1/conversations?tab=unassigned')).body.items as { id: string; client: { name: string } }[]).find((i) => i.client.name === 'Rosa Widget')?.id);
    expect((await stand.annaApi.post(`/api/v1/conversations/${id}/take`)).status).toBe(200);
    expect((await stand.annaApi.post(`/api/v1/conversations/${id}/messages`, { text: 'Yes, since this morning.' })).status).toBe(201);
    await panel.getByText('Yes, since this morning.').waitFor();
    found.push(...(await audit(page, 'widget, the chat')));

    // Closed, it hands focus back to its button, which then counts the replies that came meanwhile.
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'hidden' });
    expect(await page.evaluate('document.querySelector("[data-relaydesk-webchat]").shadowRoot.activeElement?.className')).toBe('launcher');
    expect((await stand.annaApi.post(`/api/v1/conversations/${id}/messages`, { text: 'Shall I keep one for you?' })).status).toBe(201);
    await page.getByRole('button', { name: 'Chat, 1 unread' }).waitFor();
    found.push(...(await audit(page, 'widget, closed, with a reply unread')));
    await context.close();
    expect(found).toEqual([]);
  });

  it('the app’s pages reported no Content-Security-Policy violation: the audit ran within the policy', () => {
    expect(stand.cspViolations).toEqual([]);
  });
});
