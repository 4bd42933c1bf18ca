import type { Browser, Page } from 'playwright-core';
import { createTestEnv, HttpClient, launchBrowser, loggedInPage, startStack, TestSmtpServer, Workspace, type Stack, type TestEnv } from '@relaydesk/testing';

const origin = 'https://shop.example';

/**
 * What the browser tests start from: the real services (mail to a test SMTP server), group Sales
 * with Anna and Boris (who has the All tab), a webchat channel whose visitor `client` writes, and
 * Chromium with both operators and the super_admin logged in.
 */
export class UiStand {
  private said = 0;
  /** What Chromium refused under the app's Content-Security-Policy, on any of the pages. */
  readonly cspViolations: string[] = [];
  /** What the first visitor (`client`) writes goes through here. */
  visitorSays: (text: string) => Promise<unknown> = () => Promise.reject(new Error('no visitor yet'));

  private constructor(
    readonly env: TestEnv,
    readonly smtp: TestSmtpServer,
    readonly stack: Stack,
    readonly browser: Browser,
    readonly annaApi: HttpClient,
    readonly adminApi: HttpClient,
    readonly pages: { anna: Page; boris: Page; admin: Page },
    private readonly ingest: HttpClient,
    private readonly channelId: string,
  ) {}

  static async open(client: string, extraEnv: Record<string, string> = {}): Promise<UiStand> {
    const env = await createTestEnv();
    const smtp = await TestSmtpServer.start();
    const stack = await startStack(env.env, { SMTP_URL: smtp.url, MAIL_RETRY_DELAYS_MS: '200,400', ...extraEnv });
    const workspace = await Workspace.open(stack);
    const sales = await workspace.group('Sales');
    const annaApi = (await workspace.operator('Anna', [sales])).api;
    await workspace.operator('Boris', [sales], ['conversations.view_all']);
    const channelId = (await workspace.admin.post('/api/v1/channels', { type: 'webchat', name: 'Shop chat', groupId: sales, settings: { allowedOrigins: [origin] } })).body.id;
    const browser = await launchBrowser();
    const pages = {
      anna: await loggedInPage(browser, stack.gateway.url, 'anna@relaydesk.test', 'Anna-password'),
      boris: await loggedInPage(browser, stack.gateway.url, 'boris@relaydesk.test', 'Boris-password'),
      admin: await loggedInPage(browser, stack.gateway.url, stack.admin.email, stack.admin.password),
    };
    const stand = new UiStand(env, smtp, stack, browser, annaApi, workspace.admin, pages, new HttpClient(stack.ingestion.url).with({ origin }), channelId);
    for (const page of Object.values(pages)) {
      page.on('dialog', () => fail('a client message ran as script'));
      page.on('console', (message) => {
        if (message.text().includes('Content Security Policy')) stand.cspViolations.push(message.text());
      });
    }
    stand.visitorSays = await stand.visitor(client);
    return stand;
  }

  /** A webchat visitor named `name`, and how he writes. */
  async visitor(name: string): Promise<(text: string) => Promise<unknown>> {
    const { token } = (await this.ingest.post<{ token: string }>(`/ingest/v1/webchat/${this.channelId}/sessions`, { name })).body;
    const visitor = this.ingest.bearer(token);
    return (text) => visitor.post(`/ingest/v1/webchat/${this.channelId}/messages`, { text, clientMessageId: `m-${++this.said}` });
  }

  async close(): Promise<void> {
    await this.browser.close();
    await this.stack.stop();
    await this.smtp.down();
    await this.env.dispose();
  }
}

export const row = (page: Page, name: string) => page.getByRole('option').filter({ hasText: name });
export const tab = (page: Page, name: RegExp) => page.getByRole('tab', { name });
