import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createDataSource, openDatabase } from '@relaydesk/db';
import { createTestEnv, freePort, startStack, waitFor, Workspace, type HttpClient, type Stack, type TestEnv } from '@relaydesk/testing';
import { PostgresEngine } from '../src/store/postgres-engine';

const run = promisify(execFile);
const root = join(__dirname, '..', '..', '..');

/** `npm run search:reindex` rebuilds a lost index from the conversation service's export. */
describe('search reindex', () => {
  let env: TestEnv;
  let stack: Stack;
  let admin: HttpClient;
  const clients = ['Reindex Rosa', 'Reindex Ömer', 'Reindex Юлия'];
  const found = async (q: string): Promise<string[]> => ((await admin.get(`/api/v1/search?q=${encodeURIComponent(q)}`)).body.items as { conversation: { client: { name: string } } }[]).map((h) => h.conversation.client.name).sort();

  beforeAll(async () => {
    env = await createTestEnv();
    stack = await startStack(env.env);
    const workspace = await Workspace.open(stack);
    admin = workspace.admin;
    const { send } = await workspace.apiChannel(await workspace.group('Sales'));
    for (const client of clients) await send(client, `quasar question from ${client} 🌌`);
    await waitFor('indexed', async () => ((await found('quasar')).length === clients.length ? true : undefined));
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await env?.dispose();
  });

  it('D26: an emptied index is rebuilt from the export, with a progress line, and finds what it found before', async () => {
    const db = await openDatabase(createDataSource({ url: env.databaseUrl, schema: 'search', migrations: [] }));
    try {
      await new PostgresEngine(db).clear();
    } finally {
      await db.destroy();
    }
    expect(await found('quasar')).toEqual([]);

    const { stdout, stderr } = await run('npx', ['tsx', 'services/search/src/reindex.ts'], { cwd: root, env: { ...process.env, ...stack.env, CONVERSATION_URL: stack.conversation.url, REINDEX_PAGE_SIZE: '2' } });
    expect(stdout).toMatch(/search index rebuilt: 3 conversations in [\d.]+ s/);
    expect(stderr).toMatch(/\[#{30}\] 100% 3 of 3 conversations, [\d,]+\/s/);
    expect(await found('quasar')).toEqual([...clients].sort());
    expect(await found('юли')).toEqual(['Reindex Юлия']);
  });

  it('a reindex over a live index changes nothing and keeps it searchable', async () => {
    const searching = (async () => {
      const seen: number[] = [];
      for (let i = 0; i < 20; i++) seen.push((await found('quasar')).length);
      return seen;
    })();
    await run('npx', ['tsx', 'services/search/src/reindex.ts'], { cwd: root, env: { ...process.env, ...stack.env, CONVERSATION_URL: stack.conversation.url } });
    expect(new Set(await searching)).toEqual(new Set([clients.length]));
  });

  it('a conversation service that cannot be reached fails the command with a clear message', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const failed = await run('npx', ['tsx', 'services/search/src/reindex.ts'], { cwd: root, env: { ...process.env, ...stack.env, CONVERSATION_URL: nowhere } }).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 1, stderr: expect.stringContaining(`The conversation service cannot be reached at ${nowhere}`) });
  });
});
