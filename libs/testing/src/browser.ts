import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (scripts/setup-machine.sh installs it); playwright-core never downloads a browser. */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

// Without the background-networking flags Chromium keeps calling Google's hosts, which this network refuses.
const flags = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: run scripts/setup-machine.sh (apt-get install chromium)`);
  return chromium.launch({ executablePath: CHROMIUM, args: flags });
}

/**
 * The README's pictures are renewed on purpose (`npm run screenshots`), not by every test run: a run
 * would otherwise leave the checkout changed. Other runs still take each picture, into a temp folder.
 */
const screenshots = process.env['UPDATE_SCREENSHOTS'] === '1' ? join(__dirname, '..', '..', '..', 'docs', 'screenshots') : join(tmpdir(), 'relaydesk-screenshots');

/** Saves what the page shows as <name>.png: in docs/screenshots with UPDATE_SCREENSHOTS=1, else in a temp folder. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({ path: join(screenshots, `${name}.png`) });
}

/** A page of the operator web app logged in as this operator, at 1280×800. */
export async function loggedInPage(browser: Browser, appUrl: string, email: string, password: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(appUrl);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
  return page;
}
