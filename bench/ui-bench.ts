import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { Client } from 'pg';
import { launchBrowser, type Stack, type TestEnv } from '@relaydesk/testing';
import { loadInbox, setUpScene } from './list-pages';
import { intEnv, line, ms, round, summarize, type Summary } from './stats';

/**
 * The operator web app (issue 8): the size of what a browser downloads, and, with 10,000
 * conversations in the workspace, the time from opening the app (signed in) to a list that answers
 * a click, and from a tab click to its rows, in Debian's Chromium at 1280×800.
 */

export type UiBenchConfig = { conversations: number; loads: number };
export const uiBenchConfig = (): UiBenchConfig => ({ conversations: intEnv('BENCH_UI_CONVERSATIONS', 10_000), loads: intEnv('BENCH_UI_LOADS', 10) });

export type UiResult = { config: UiBenchConfig; mainChunk: { bytes: number; gzip: number }; allAssets: { bytes: number; gzip: number }; firstList: Summary; tabSwitch: Summary; rowsInAll: number };

const assets = join(__dirname, '..', 'services', 'operator-ui', 'dist', 'assets');

/** Builds the web app as `npm run build:ui` does, so the part measures this checkout, not an old or missing build. */
export function buildUi(): void {
  execFileSync('npm', ['run', 'build:ui', '--silent'], { cwd: join(__dirname, '..'), stdio: 'inherit' });
}

function bundleSizes(): Pick<UiResult, 'mainChunk' | 'allAssets'> {
  const files = readdirSync(assets).filter((f) => /\.(js|css)$/.test(f));
  const sized = files.map((f) => {
    const bytes = readFileSync(join(assets, f));
    return { name: f, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  const main = sized.filter((f) => f.name.startsWith('index-') && f.name.endsWith('.js')).sort((a, b) => b.bytes - a.bytes)[0];
  if (!main) throw new Error(`no index-*.js in ${assets}`);
  return { mainChunk: main, allAssets: { bytes: sized.reduce((n, f) => n + f.bytes, 0), gzip: sized.reduce((n, f) => n + f.gzip, 0) } };
}

export async function runUiBench(env: TestEnv, stack: Stack, cfg: UiBenchConfig, log: (s: string) => void): Promise<UiResult> {
  const sizes = bundleSizes();
  const scene = await setUpScene(stack, 'UI');
  const db = new Client({ connectionString: env.databaseUrl });
  await db.connect();
  try {
    log(`ui: loading ${cfg.conversations} conversations`);
    await loadInbox(db, scene, { conversations: cfg.conversations, messagesPerConversation: 2, requests: 0, warmup: 0, deepRows: 0, limit: 50 });
  } finally {
    await db.end();
  }
  const browser = await launchBrowser();
  const firstList: number[] = [];
  const tabSwitch: number[] = [];
  let rowsInAll = 0;
  try {
    for (let i = 0; i < cfg.loads; i++) {
      // A fresh context each time: nothing cached, the session token already in place as after a login.
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await context.addInitScript(`localStorage.setItem('relaydesk.token', ${JSON.stringify(scene.admin.token)})`);
      const page = await context.newPage();
      const start = performance.now();
      await page.goto(stack.gateway.url);
      await page.locator('[role="listbox"] [role="option"]').first().waitFor();
      firstList.push(performance.now() - start);
      const clicked = performance.now();
      await page.getByRole('tab', { name: /^All/ }).click();
      await page.locator('[role="listbox"][aria-label^="All"] [role="option"]').first().waitFor();
      tabSwitch.push(performance.now() - clicked);
      rowsInAll = await page.locator('[role="listbox"] [role="option"]').count();
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return { config: cfg, ...sizes, firstList: summarize(firstList), tabSwitch: summarize(tabSwitch), rowsInAll };
}

const kb = (bytes: number) => `${round(bytes / 1024)} kB`;

export function reportUi(r: UiResult): string[] {
  return [
    line('ui main chunk', `${kb(r.mainChunk.bytes)}  gzip ${kb(r.mainChunk.gzip)}`, `all assets ${kb(r.allAssets.bytes)}  gzip ${kb(r.allAssets.gzip)}`),
    line(`ui open to listed, ${r.config.conversations} conversations`, `p50 ${ms(r.firstList.p50)}  p95 ${ms(r.firstList.p95)}  max ${ms(r.firstList.max)}`, `(${r.firstList.count} cold loads, signed in)`),
    line('ui tab switch to All, first rows', `p50 ${ms(r.tabSwitch.p50)}  p95 ${ms(r.tabSwitch.p95)}`, `(${r.rowsInAll} rows drawn of the virtualised list)`),
  ];
}
