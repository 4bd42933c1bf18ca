import type { Page } from 'playwright-core';
import { loggedInPage, screenshot, waitFor, Workspace, type HttpClient } from '@relaydesk/testing';
import { row, tab, UiStand } from './ui-stand';

type Item = { id: string; status: string; client: { id: string; name: string }; assignee: { id: string; name: string | null } | null; group: { id: string; name: string | null }; unreadCount: number };
type Counters = { mine: number; unread: Record<string, number | undefined> };

/**
 * Workflows around the conversation in Debian's Chromium against the real services: reopening
 * from Closed, handing over to an operator or a group, the client profile, unread markers, desktop
 * notifications, the emoji picker by keyboard, a lost connection, and logging in. Every test has its
 * own webchat client.
 */
describe('operator web app: workflows', () => {
  const first = 'Umberto Unread';
  let stand: UiStand;
  let anna: Page; // Sales
  let boris: Page; // Sales, conversations.view_all
  let admin: Page;
  let annaApi: HttpClient;
  let adminApi: HttpClient;
  let annaId: string;
  let borisId: string;

  beforeAll(async () => {
    stand = await UiStand.open(first);
    ({ anna, boris, admin } = stand.pages);
    ({ annaApi, adminApi } = stand);
    annaId = (await annaApi.get('/api/v1/me')).body.id;
    const operators = (await annaApi.get('/api/v1/operators')).body.items as { id: string; name: string }[];
    borisId = operators.find((o) => o.name === 'Boris')!.id;
  }, 120_000);

  afterAll(async () => {
    await stand?.close();
  });

  /** The page as a fresh start: nothing open, the Unassigned tab. */
  /** The app loaded anew at its root: Unassigned, nothing open (a reload would keep the address's tab and conversation). */
  const fresh = async (page: Page) => {
    await page.goto(new URL('/', page.url()).toString());
    await tab(page, /^Unassigned/).waitFor();
  };
  const tabName = async (page: Page, name: RegExp) => (await tab(page, name).getAttribute('aria-label')) ?? '';
  /** The tabs whose name says they hold unread client messages (D14). */
  const unreadTabs = async (page: Page) => (await page.getByRole('tab').evaluateAll((tabs) => tabs.map((t) => t.getAttribute('aria-label') ?? ''))).filter((name) => name.includes('unread'));
  /** The conversation of the client `name` as `api` lists it in `tabName`, once it is there. */
  const itemOf = (api: HttpClient, tabName: string, name: string) =>
    waitFor(`${name} in ${tabName}`, async () => ((await api.get(`/api/v1/conversations?tab=${tabName}`)).body.items as Item[]).find((i) => i.client.name === name));
  const writes = async (name: string, ...texts: string[]) => {
    const says = await stand.visitor(name);
    for (const text of texts) await says(text);
    return says;
  };
  /** Opens the client's row in a tab and presses "Start conversation". */
  const take = async (page: Page, tabLabel: RegExp, name: string) => {
    await tab(page, tabLabel).click();
    await row(page, name).click();
    await page.getByRole('region', { name: `Conversation with ${name}` }).getByRole('button', { name: 'Start conversation' }).click();
  };
  const facts = (page: Page, name: string) => page.getByRole('region', { name: `Conversation with ${name}` }).locator('header .cv-facts');

  it('D14: a client message marks Unassigned (and All for Boris) as unread; once Anna takes and reads it the markers go', async () => {
    expect(await tab(anna, /^Unassigned/).getAttribute('aria-selected')).toBe('true');
    await tab(boris, /^All/).click();
    expect(await unreadTabs(anna)).toEqual([]);
    expect(await unreadTabs(boris)).toEqual([]);

    await stand.visitorSays('Is my parcel lost?');
    await row(anna, first).waitFor();
    await row(boris, first).waitFor();
    // The tab names carry the figure for screen readers beside the dot.
    await tab(anna, /^Unassigned, 1 with unread messages$/).waitFor();
    await tab(boris, /^All, 1 with unread messages$/).waitFor();
    await tab(boris, /^Unassigned, 1 with unread messages$/).waitFor();
    expect(await tabName(anna, /^Closed/)).not.toMatch(/unread/);
    await row(anna, first).getByLabel('1 unread').waitFor();
    await screenshot(boris, 'workflow-1-unread-all-tab');

    expect(((await annaApi.get('/api/v1/conversations/counters')).body as Counters).unread.unassigned).toBe(1);
    const adminCounters = (await adminApi.get('/api/v1/conversations/counters')).body as Counters;
    expect(adminCounters.unread).toEqual(expect.objectContaining({ unassigned: 1, all: 1 }));

    await take(anna, /^Unassigned/, first);
    await waitFor('Anna in the header', async () => (await facts(anna, first).textContent())?.includes('Anna (me)'));
    await waitFor('no unread marker on Anna’s tabs', async () => (await unreadTabs(anna)).length === 0);
    await waitFor('no unread marker on Boris’s tabs', async () => (await unreadTabs(boris)).length === 0);
    await tab(anna, /^My inbox, 1 conversation$/).waitFor();
    await row(boris, first).filter({ hasText: 'Anna' }).waitFor();
    expect(await row(boris, first).getByLabel(/unread$/).count()).toBe(0);
    expect(((await annaApi.get('/api/v1/conversations/counters')).body as Counters).unread).toEqual(expect.objectContaining({ unassigned: 0, mine: 0 }));
    expect(((await adminApi.get('/api/v1/conversations/counters')).body as Counters).unread).toEqual(expect.objectContaining({ unassigned: 0, all: 0 }));
    expect((await itemOf(annaApi, 'mine', first)).unreadCount).toBe(0);
  }, 90_000);

  it('D10: taken, sent To closed, then "Start conversation" in Closed puts it back in My inbox in progress with Anna as assignee', async () => {
    const client = 'Dora Closewell';
    await writes(client, 'Can I change my address?');
    await fresh(anna);
    await take(anna, /^Unassigned/, client);
    await waitFor('taken', async () => (await facts(anna, client).textContent())?.includes('In progress'));
    await anna.getByRole('button', { name: 'To closed' }).click();
    await anna.getByRole('region', { name: `Conversation with ${client}` }).waitFor({ state: 'detached' });
    expect((await itemOf(annaApi, 'closed', client)).status).toBe('closed');

    await tab(anna, /^Closed/).click();
    await row(anna, client).click();
    const pane = anna.getByRole('region', { name: `Conversation with ${client}` });
    await waitFor('closed in the header', async () => (await facts(anna, client).textContent())?.includes('Closed'));
    expect(await anna.getByLabel('Message to the client').count()).toBe(0);
    await screenshot(anna, 'workflow-2-closed-conversation');
    await pane.getByRole('button', { name: 'Start conversation' }).click();

    await waitFor('in progress, Anna', async () => {
      const text = (await facts(anna, client).textContent()) ?? '';
      return text.includes('In progress') && text.includes('Anna (me)');
    });
    await anna.getByLabel('Message to the client').waitFor();
    await pane.getByRole('button', { name: 'To closed' }).waitFor();
    // The list and the address follow it to My inbox, with the conversation still open.
    await waitFor('My inbox selected', async () => (await anna.getByRole('tab', { selected: true }).textContent())?.startsWith('My inbox'));
    await row(anna, client).waitFor();
    expect(new URL(anna.url()).pathname).toMatch(/^\/conversations\/mine\/[0-9a-f-]{36}$/);
    await pane.waitFor();
    const item = await itemOf(annaApi, 'mine', client);
    expect(item.status).toBe('in_progress');
    expect(item.assignee?.id).toBe(annaId);
    expect(((await annaApi.get('/api/v1/conversations?tab=closed')).body.items as Item[]).map((i) => i.client.name)).not.toContain(client);
  }, 90_000);

  it('D20: the emoji picker works with the keyboard alone (Tab to it, Enter opens, Tab moves, Enter inserts, Escape closes)', async () => {
    // Uses Dora's conversation, which the previous test left open in Anna's My inbox.
    const client = 'Dora Closewell';
    const box = anna.getByLabel('Message to the client');
    await box.fill('Done ');
    await box.press('Tab');
    expect(await focusedLabel(anna)).toBe('Emoji');
    await anna.keyboard.press('Enter');
    const picker = anna.getByRole('group', { name: 'Emoji' });
    await picker.waitFor();
    expect(await anna.getByRole('button', { name: 'Emoji' }).getAttribute('aria-expanded')).toBe('true');
    await waitFor('focus on the first emoji', async () => (await focusedLabel(anna)) === 'grinning face');
    await screenshot(anna, 'workflow-3-emoji-picker');

    // Escape closes it and gives the focus back to the text box.
    await anna.keyboard.press('Escape');
    await picker.waitFor({ state: 'detached' });
    expect(await focusedLabel(anna)).toBe('Message to the client');

    await box.press('Tab');
    await anna.keyboard.press('Enter');
    await waitFor('focus on the first emoji', async () => (await focusedLabel(anna)) === 'grinning face');
    // Tab and Shift+Tab move through the grid too (the arrow keys have their own test).
    await anna.keyboard.press('Tab');
    expect(await focusedLabel(anna)).toBe('smiling face');
    await anna.keyboard.press('Tab');
    expect(await focusedLabel(anna)).toBe('tears of joy');
    await anna.keyboard.press('Shift+Tab');
    expect(await focusedLabel(anna)).toBe('smiling face');
    await anna.keyboard.press('Enter');
    await picker.waitFor({ state: 'detached' });
    await waitFor('the emoji in the box', async () => (await box.inputValue()) === 'Done 😊');
    await waitFor('focus back in the box', async () => (await focusedLabel(anna)) === 'Message to the client');

    await anna.keyboard.press('Control+Enter');
    await anna.getByRole('list', { name: 'Messages' }).getByText('Done 😊').waitFor();
    const { id } = await itemOf(annaApi, 'mine', client);
    const sent = (await annaApi.get(`/api/v1/conversations/${id}/messages`)).body.items as { text: string; direction: string }[];
    expect(sent.filter((m) => m.direction === 'out').map((m) => m.text)).toEqual(['Done 😊']);
  }, 90_000);

  it('D20: in the emoji grid the arrow keys, Home and End move the focus, and Enter inserts the emoji', async () => {
    const box = anna.getByLabel('Message to the client');
    await box.fill('Great ');
    await anna.getByRole('button', { name: 'Emoji' }).click();
    await anna.getByRole('group', { name: 'Emoji' }).waitFor();
    await waitFor('focus on the first emoji', async () => (await focusedLabel(anna)) === 'grinning face');
    const steps: [string, string][] = [
      ['ArrowRight', 'smiling face'],
      ['ArrowDown', 'sweat smile'], // six a row
      ['ArrowLeft', 'thinking face'],
      ['ArrowUp', 'grinning face'],
      ['ArrowUp', 'grinning face'], // stays at the edge
      ['End', 'raising hands'],
      ['Home', 'grinning face'],
      ['ArrowDown', 'thinking face'],
      ['ArrowDown', 'thumbs down'],
      ['ArrowLeft', 'thumbs up'],
    ];
    for (const [key, label] of steps) {
      await anna.keyboard.press(key);
      expect([key, await focusedLabel(anna)]).toEqual([key, label]);
    }
    await anna.keyboard.press('Enter');
    await anna.getByRole('group', { name: 'Emoji' }).waitFor({ state: 'detached' });
    await waitFor('the emoji in the box', async () => (await box.inputValue()) === 'Great 👍');
    await waitFor('focus back in the box', async () => (await focusedLabel(anna)) === 'Message to the client');
    await box.fill('');
  });

  it('D21: "Assign to operator" lists the group’s operators with presence; assigned to Boris it leaves Anna’s inbox and shows up live for Boris', async () => {
    const client = 'Pavel Handover';
    await writes(client, 'Who handles refunds?');
    await fresh(anna);
    await fresh(boris);
    await tab(boris, /^All/).click();
    await row(boris, client).waitFor();
    await take(anna, /^Unassigned/, client);
    await waitFor('taken', async () => (await facts(anna, client).textContent())?.includes('Anna (me)'));
    await row(boris, client).filter({ hasText: 'Anna' }).waitFor();

    await anna.getByRole('button', { name: 'Assign to operator' }).click();
    const dialog = anna.getByRole('dialog', { name: 'Assign to operator' });
    const choices = dialog.getByRole('listitem');
    await waitFor('two operators to choose from', async () => (await choices.count()) === 2);
    // Only operators sharing a group with Anna (not the super_admin, who is in none).
    expect((await choices.allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim())).toEqual([
      expect.stringMatching(/^Anna ?anna@relaydesk\.test ?\(assigned now\)$/),
      expect.stringMatching(/^Boris ?boris@relaydesk\.test$/),
    ]);
    const toBoris = dialog.getByRole('button', { name: /Boris/ });
    const toAnna = dialog.getByRole('button', { name: /Anna/ });
    expect(await toAnna.isDisabled()).toBe(true);
    expect(await toBoris.isEnabled()).toBe(true);
    // Presence: Boris has the app open, so he is online; it is the first word of the button's name.
    await dialog.getByRole('button', { name: /^online Boris boris@relaydesk\.test$/ }).waitFor();
    expect(await toBoris.locator('.presence').getAttribute('title')).toBe('online');
    await screenshot(anna, 'workflow-4-assign-operator');

    await toBoris.click();
    await dialog.waitFor({ state: 'detached' });
    await anna.getByRole('region', { name: `Conversation with ${client}` }).waitFor({ state: 'detached' });
    await tab(anna, /^My inbox/).click();
    await listRead(anna);
    expect(await row(anna, client).count()).toBe(0);

    // Boris, without a reload: the row in All now names him, and My inbox holds it.
    await row(boris, client).filter({ hasText: 'Boris' }).waitFor();
    expect(await row(boris, client).textContent()).not.toMatch(/Anna/);
    await tab(boris, /^My inbox, 1 conversation$/).waitFor();
    await tab(boris, /^My inbox/).click();
    await row(boris, client).click();
    await waitFor('Boris holds it', async () => (await facts(boris, client).textContent())?.includes('Boris (me)'));
    await boris.getByLabel('Message to the client').waitFor();
    await screenshot(boris, 'workflow-5-assigned-to-boris');

    const item = (await adminApi.get(`/api/v1/conversations/${(await itemOf(adminApi, 'all', client)).id}`)).body as Item;
    expect([item.status, item.assignee?.id]).toEqual(['in_progress', borisId]);
    expect(((await annaApi.get('/api/v1/conversations?tab=mine')).body.items as Item[]).map((i) => i.client.name)).not.toContain(client);
  }, 90_000);

  it('D22: "Assign to group" sends it to Unassigned of the other group: gone from Anna, live in the admin’s Unassigned with that group', async () => {
    const client = 'Greta Regroup';
    await writes(client, 'I want to send it back');
    await fresh(admin);
    await row(admin, client).waitFor();
    await fresh(anna);
    // Made after Anna's page loaded its groups: the dialog reads them again.
    const returns = (await adminApi.post('/api/v1/groups', { name: 'Returns' })).body.id as string;
    await take(anna, /^Unassigned/, client);
    await waitFor('taken', async () => (await facts(anna, client).textContent())?.includes('Anna (me)'));

    await anna.getByRole('button', { name: 'Assign to group' }).click();
    const dialog = anna.getByRole('dialog', { name: 'Assign to group' });
    const select = dialog.getByLabel('Group');
    await select.locator('option', { hasText: 'Returns' }).waitFor({ state: 'attached' });
    expect(await select.locator('option').allTextContents()).toEqual(expect.arrayContaining(['Sales (current)', 'Returns']));
    expect(await select.locator('option', { hasText: 'Sales' }).isDisabled()).toBe(true);
    await select.selectOption({ label: 'Returns' });
    await screenshot(anna, 'workflow-6-assign-group');
    await dialog.getByRole('button', { name: 'Assign' }).click();
    await dialog.waitFor({ state: 'detached' });
    await anna.getByRole('region', { name: `Conversation with ${client}` }).waitFor({ state: 'detached' });

    // Anna is not in Returns: she sees it nowhere any more.
    for (const name of [/^Unassigned/, /^My inbox/]) {
      await tab(anna, name).click();
      await listRead(anna);
      expect(await row(anna, client).count()).toBe(0);
    }
    await waitFor('Anna can no longer open it', async () => {
      const lists = await Promise.all(['unassigned', 'mine', 'closed'].map(async (t) => (await annaApi.get(`/api/v1/conversations?tab=${t}`)).body.items as Item[]));
      return lists.flat().every((i) => i.client.name !== client);
    });

    // The admin's Unassigned list, live: the row now says Returns.
    await row(admin, client).filter({ hasText: 'Returns' }).waitFor();
    expect(await row(admin, client).textContent()).not.toMatch(/Anna/);
    await screenshot(admin, 'workflow-7-admin-unassigned-returns');
    const item = await itemOf(adminApi, 'unassigned', client);
    expect([item.status, item.group.id, item.assignee]).toEqual(['unassigned', returns, null]);
    expect((await annaApi.get(`/api/v1/conversations/${item.id}`)).status).toBe(404);
  }, 90_000);

  it('D17, D19: renamed in the profile (the original name stays), a profile note added and edited; both still there after a reload, which reopens the conversation', async () => {
    const client = 'Olga Original';
    await writes(client, 'Please call me Olga VIP');
    await fresh(anna);
    await row(anna, client).click();
    const profile = anna.getByRole('complementary', { name: 'Client profile' });
    const toggle = anna.getByRole('button', { name: /^(Show|Hide) client profile$/ });
    await toggle.waitFor();
    if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
    await profile.waitFor();

    await profile.getByRole('button', { name: 'Rename' }).click();
    const nameBox = profile.getByLabel('Client name');
    expect(await nameBox.inputValue()).toBe(client);
    await nameBox.fill('Olga VIP');
    await profile.getByRole('button', { name: 'Save', exact: true }).click();
    await anna.getByRole('heading', { name: 'Olga VIP' }).waitFor();
    await anna.getByRole('region', { name: 'Conversation with Olga VIP' }).waitFor();
    await nameBox.waitFor({ state: 'detached' });
    await profile.getByText('Olga VIP', { exact: true }).waitFor();
    await profile.getByText(client, { exact: true }).waitFor(); // the original name

    await profile.getByRole('button', { name: 'Add note' }).click();
    await profile.getByLabel('Client note').fill('Prefers phone calls');
    await profile.getByRole('button', { name: 'Save note' }).click();
    await profile.getByText('Prefers phone calls').waitFor();
    await profile.getByRole('button', { name: 'Edit note' }).click();
    const note = profile.getByLabel('Client note');
    expect(await note.inputValue()).toBe('Prefers phone calls');
    await note.fill('Prefers phone calls after 5 pm');
    await profile.getByRole('button', { name: 'Save note' }).click();
    await profile.getByText('Prefers phone calls after 5 pm').waitFor();
    await screenshot(anna, 'workflow-8-client-profile');

    // The address holds the tab and the open conversation: a reload opens it again by itself.
    expect(new URL(anna.url()).pathname).toMatch(/^\/conversations\/unassigned\/[0-9a-f-]{36}$/);
    await anna.reload();
    await anna.getByRole('region', { name: 'Conversation with Olga VIP' }).waitFor();
    if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
    await profile.getByText('Prefers phone calls after 5 pm').waitFor();
    await profile.getByText(client, { exact: true }).waitFor();
    expect(await profile.getByText('Olga VIP', { exact: true }).count()).toBe(1);
    expect(await profile.getByRole('button', { name: 'Edit note' }).count()).toBe(1);

    const { client: ref } = await itemOf(annaApi, 'unassigned', 'Olga VIP');
    const stored = (await annaApi.get(`/api/v1/clients/${ref.id}`)).body as { name: string; originalName: string; note: string };
    expect([stored.name, stored.originalName, stored.note]).toEqual(['Olga VIP', client, 'Prefers phone calls after 5 pm']);
  }, 90_000);

  it('desktop notifications: with permission, a client message while the tab is hidden shows one with the client’s name and text; none while visible or muted', async () => {
    const client = 'Nora Notify';
    const page = await loggedInPage(stand.browser, stand.stack.gateway.url, 'anna@relaydesk.test', 'Anna-password');
    try {
      await page.context().grantPermissions(['notifications'], { origin: new URL(stand.stack.gateway.url).origin });
      // Records every notification the app makes, then shows the real one.
      await page.addInitScript(`(() => {
        window.__notified = [];
        const Real = window.Notification;
        if (!Real) return;
        window.Notification = class extends Real {
          constructor(title, options) {
            window.__notified.push({ title, body: options && options.body });
            super(title, options);
          }
        };
      })()`);
      await page.reload();
      await tab(page, /^Unassigned/).waitFor();
      expect(await page.evaluate<string>('Notification.permission')).toBe('granted');
      // With permission granted the bell is the on/off switch, on.
      const bell = page.getByRole('button', { name: 'Desktop notifications' });
      expect(await bell.getAttribute('aria-pressed')).toBe('true');
      const notified = () => page.evaluate<{ title: string; body: string }[]>('window.__notified');

      const says = await writes(client, 'Hello?');
      await row(page, client).waitFor();
      expect(await notified()).toEqual([]); // visible: no notification

      await page.evaluate(`(() => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
        document.dispatchEvent(new Event('visibilitychange'));
      })()`);
      await says('Is anyone there? 🙋');
      const shown = await waitFor('a notification', async () => ((await notified()).length > 0 ? notified() : undefined));
      expect(shown).toEqual([{ title: `${client} · Unassigned`, body: 'Is anyone there? 🙋' }]);

      // Muted with the bell: the next message shows none.
      await page.evaluate(`(() => {
        delete document.visibilityState;
        delete document.hidden;
        document.dispatchEvent(new Event('visibilitychange'));
      })()`);
      await bell.click();
      expect(await bell.getAttribute('aria-pressed')).toBe('false');
      await page.evaluate(`(() => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
        document.dispatchEvent(new Event('visibilitychange'));
      })()`);
      await says('Still waiting');
      await row(page, client).filter({ hasText: 'Still waiting' }).waitFor();
      expect(await notified()).toHaveLength(1);
      await screenshot(page, 'workflow-9-notifications-muted');
    } finally {
      await page.context().close();
    }
  }, 90_000);

  it('D14: the gateway crashes: the screen says the connection is lost, reconnects by itself, and shows what came meanwhile', async () => {
    const client = 'Ivo Interrupted';
    await fresh(anna);
    await listRead(anna);
    const banner = anna.getByRole('status').filter({ hasText: 'Connection lost' });
    await stand.stack.restart('gateway', async () => {
      await banner.waitFor();
      expect(await anna.getByRole('img', { name: 'Anna, offline' }).count()).toBe(1);
      await screenshot(anna, 'workflow-10-connection-lost');
      await writes(client, 'Hello, is the shop open?');
    });
    await banner.waitFor({ state: 'detached', timeout: 30_000 });
    await anna.getByRole('img', { name: 'Anna, online' }).waitFor();
    await row(anna, client).filter({ hasText: 'Hello, is the shop open?' }).waitFor();
    expect(await anna.getByRole('alert').count()).toBe(0);
    await tab(anna, /^Unassigned, \d+ with unread messages$/).waitFor();
  }, 90_000);

  describe('log in', () => {
    it('D1: a wrong password is refused on the form; the right one opens the workspace; log out returns to the form', async () => {
      const { browser, stack } = stand;
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
      await page.goto(stack.gateway.url);
      await page.getByLabel('Email').fill(stack.admin.email);
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('alert').waitFor();
      await screenshot(page, 'login-refused');

      const signedIn = await loggedInPage(browser, stack.gateway.url, stack.admin.email, stack.admin.password);
      await signedIn.getByRole('navigation', { name: 'Pages' }).waitFor();
      await screenshot(signedIn, 'workspace-admin');
      await signedIn.getByRole('button', { name: 'Log out' }).click();
      await signedIn.getByRole('button', { name: 'Log in' }).waitFor();
    });

    it('D1: tag analytics is in the navigation only with analytics.view', async () => {
      const workspace = await Workspace.open(stand.stack);
      const group = await workspace.group('Analysts');
      await workspace.operator('Plain', [group]);
      await workspace.operator('Analyst', [group], ['analytics.view']);
      const plain = await loggedInPage(stand.browser, stand.stack.gateway.url, 'plain@relaydesk.test', 'Plain-password');
      const analyst = await loggedInPage(stand.browser, stand.stack.gateway.url, 'analyst@relaydesk.test', 'Analyst-password');
      expect(await plain.getByRole('button', { name: 'Tag analytics' }).count()).toBe(0);
      expect(await analyst.getByRole('button', { name: 'Tag analytics' }).count()).toBe(1);
    });

    it('a reload of any app path answers the app; unknown API paths stay JSON 404s', async () => {
      const page = await (await stand.browser.newContext()).newPage();
      const answer = await page.goto(`${stand.stack.gateway.url}/some/screen`);
      expect(answer?.status()).toBe(200);
      expect(await page.title()).toBe('Log in · Relaydesk');
      const api = await fetch(`${stand.stack.gateway.url}/api/v1/nope`);
      expect(api.status).toBe(404);
      expect(api.headers.get('content-type')).toMatch(/json/);
    });
  });
});

/** Waits until the open tab's list has been read. */
async function listRead(page: Page): Promise<void> {
  await waitFor('the list read', async () => (await page.getByRole('tabpanel').textContent())?.includes('Loading') === false);
}

/** The accessible label (aria-label, or the text box's) of what has the keyboard focus. */
function focusedLabel(page: Page): Promise<string | null> {
  return page.evaluate<string | null>(`document.activeElement && document.activeElement.getAttribute('aria-label')`);
}
