import { randomUUID } from 'node:crypto';
import { IDENTITY_HEADER } from '@relaydesk/contracts';
import { createDataSource, openDatabase } from '@relaydesk/db';
import { internalRequest, loadConfig, signIdentity } from '@relaydesk/service-kit';
import { z } from 'zod';
import { searchConfig } from './config';
import { exportPage, reindex, type ExportPage, type ReindexProgress } from './domain/reindex';
import { createSearchEngine } from './store/create-search-engine';
import { searchMigrations } from './store/migrations';

const reindexConfig = searchConfig.extend({
  CONVERSATION_URL: z.url().default('http://127.0.0.1:8083'),
  REINDEX_PAGE_SIZE: z.coerce.number().int().min(1).max(1_000).default(500),
});

/** `[#######.............]  35% 35,000 of 100,000 conversations, 2,400/s`; on a terminal it redraws one line. */
function progressBar(started: number): (p: ReindexProgress) => void {
  let lastPrinted = 0;
  return ({ done, total }) => {
    const now = Date.now();
    const finished = total !== undefined && done >= total;
    if (!process.stderr.isTTY && !finished && now - lastPrinted < 5_000) return;
    lastPrinted = now;
    const share = total ? Math.min(done / total, 1) : 0;
    const bar = `[${'#'.repeat(Math.round(share * 30)).padEnd(30, '.')}] ${String(Math.round(share * 100)).padStart(3)}%`;
    const rate = Math.round((done * 1000) / Math.max(now - started, 1));
    const line = `${bar} ${done.toLocaleString('en')}${total !== undefined ? ` of ${total.toLocaleString('en')}` : ''} conversations, ${rate.toLocaleString('en')}/s`;
    process.stderr.write(process.stderr.isTTY ? `\r${line}` : `${line}\n`);
  };
}

/**
 * `npm run search:reindex`: rebuilds the search index from the conversation service's export,
 * with the search service's environment plus CONVERSATION_URL. Searches keep working meanwhile.
 */
async function main(): Promise<void> {
  const config = loadConfig(reindexConfig);
  const db = await openDatabase(createDataSource({ url: config.DATABASE_URL, schema: 'search', migrations: searchMigrations }));
  const engine = createSearchEngine(config, db);
  const identity = { operatorId: randomUUID(), role: 'super_admin' as const, permissions: [], groupIds: [] };
  const readPage = async (after: string | undefined): Promise<ExportPage> => {
    const url = new URL(`${config.CONVERSATION_URL}/export/conversations?limit=${config.REINDEX_PAGE_SIZE}${after ? `&after=${after}` : ''}`);
    const answer = await fetch(url, { headers: { [IDENTITY_HEADER]: signIdentity(identity, config.INTERNAL_SECRET, internalRequest('GET', url)) } }).catch((error: unknown) => {
      throw new Error(`The conversation service cannot be reached at ${config.CONVERSATION_URL} (${String((error as { cause?: unknown }).cause ?? error)})`);
    });
    if (!answer.ok) throw new Error(`${url.href} answered ${answer.status}: ${await answer.text()}`);
    return exportPage.parse(await answer.json());
  };
  try {
    const started = Date.now();
    const count = await reindex(engine, readPage, progressBar(started));
    if (process.stderr.isTTY) process.stderr.write('\n');
    console.log(`search index rebuilt: ${count} conversations in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await db.destroy();
  }
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
