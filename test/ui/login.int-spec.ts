import type { Browser } from 'playwright-core';
import { createTestEnv, launchBrowser, loggedInPage, screenshot, startStack, Workspace, type Stack, type TestEnv } from '@relaydesk/testing';

/** The operator web app as the gateway serves it, in Debian's Chromium. */
describe('operator web app: log in', () => {
  let env: TestEnv;
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    env = await createTestEnv();
    stack = await startStack(env.env);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await env?.dispose();
  });

  it('D1: a wrong password is refused on the form; the right one opens the workspace; log out returns to the form', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(stack.gateway.url);
    await page.getByLabel('Email').fill(stack.admin.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').waitFor();
    await screenshot(page, 'login-refused');

    const admin = await loggedInPage(browser, stack.gateway.url, stack.admin.email, stack.admin.password);
    await admin.getByRole('navigation', { name: 'Pages' }).waitFor();
    await screenshot(admin, 'workspace-admin');
    await admin.getByRole('button', { name: 'Log out' }).click();
    await admin.getByRole('button', { name: 'Log in' }).waitFor();
  });

  it('D1: tag analytics is in the navigation only with analytics.view', async () => {
    const workspace = await Workspace.open(stack);
    const group = await workspace.group('Sales');
    await workspace.operator('Plain', [group]);
    await workspace.operator('Analyst', [group], ['analytics.view']);
    const plain = await loggedInPage(browser, stack.gateway.url, 'plain@relaydesk.test', 'Plain-password');
    const analyst = await loggedInPage(browser, stack.gateway.url, 'analyst@relaydesk.test', 'Analyst-password');
    expect(await plain.getByRole('button', { name: 'Tag analytics' }).count()).toBe(0);
    expect(await analyst.getByRole('button', { name: 'Tag analytics' }).count()).toBe(1);
  });

  it('a reload of any app path answers the app; unknown API paths stay JSON 404s', async () => {
    const page = await (await browser.newContext()).newPage();
    const answer = await page.goto(`${stack.gateway.url}/some/screen`);
    expect(answer?.status()).toBe(200);
    expect(await page.title()).toBe('Relaydesk');
    const api = await fetch(`${stack.gateway.url}/api/v1/nope`);
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toMatch(/json/);
  });
});
