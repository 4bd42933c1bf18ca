import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { isDeepStrictEqual, promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { createTestEnv, startStack, waitFor, Workspace, type HttpClient, type Stack, type StackService, type TestEnv } from '@relaydesk/testing';
import { countersInDatabase } from './support/counters-in-database';
import { deadLettersOf } from './support/dead-letters';

const CLIENTS = 20;
const root = join(__dirname, '..');
const sh = promisify(execFile);
/** Stops a server as a crash would and lets scripts/infra.sh start it again, as `npm start` and CI do. */
const crashAndRestart = async (stop: string) => {
  await sh('bash', ['-c', stop]);
  await sh('bash', [join(root, 'scripts/infra.sh')]);
};
const infrastructure = {
  /** Immediate mode: no checkpoint, so PostgreSQL recovers from its WAL at start, as after a power cut. */
  postgres: () => crashAndRestart('pg_ctlcluster --skip-systemctl-redirect -m immediate "$(ls /etc/postgresql | head -1)" main stop'),
  /** Redis keeps nothing on disk here: it comes back empty, and the counters must be rebuilt from PostgreSQL. */
  redis: () => crashAndRestart('redis-cli -h 127.0.0.1 shutdown nosave'),
};
/** Killed (services with SIGKILL) and started again, one after another, while clients write and an operator works. */
const VICTIMS: (StackService | keyof typeof infrastructure)[] = ['routing', 'search', 'ingestion', 'postgres', 'conversation', 'analytics', 'gateway', 'redis', 'routing', 'conversation'];

/**
 * D33, D14, D24–D26 across crashes: no service may lose or repeat what it was handling when it, the
 * database or Redis died.
 * Clients redeliver until ingestion answers 200, as the platforms do; each message carries a word of
 * its own, so the search index can be checked message by message.
 */
describe('every service, PostgreSQL and Redis killed and restarted while clients write and an operator works', () => {
  let env: TestEnv;
  let stack: Stack;
  let db: Client;
  let channel: Awaited<ReturnType<Workspace['apiChannel']>>;
  let ann: { id: string; api: HttpClient };
  let sales: string;
  let admin: HttpClient;

  const sql = async <T>(text: string, params: unknown[] = []): Promise<T[]> => (await db.query(text, params)).rows as T[];
  const count = async (text: string, params: unknown[] = []) => (await sql<{ n: number }>(text, params))[0]!.n;

  beforeAll(async () => {
    env = await createTestEnv();
    stack = await startStack(env.env, { LIVE_STATE_CHECK_MS: '500' });
    const workspace = await Workspace.open(stack);
    admin = workspace.admin;
    sales = await workspace.group('Sales');
    ann = await workspace.operator('Ann', [sales]);
    channel = await workspace.apiChannel(sales);
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await stack?.stop();
    await env?.dispose();
  });

  it('D33, D14, D25, D26: each client message is stored once, indexed for search and counted, each tag counted once, no consumer dead-letters, every outbox empties', async () => {
    let accepted = 0;
    let sent = 0;
    let crashing = true;
    const killed: string[] = [];

    /** Sends message `n` of client `c` again until ingestion answers 200 (an error or a 503 while a service is down). */
    const deliver = async (c: number, n: number) => {
      for (let tries = 0; tries < 600; tries++) {
        const answer = (await channel.send(`crash-client-${c}`, `message ${n} crashword${n} 🧯`, { externalMessageId: `crash-${n}` }).catch(() => undefined)) as { status: number } | undefined;
        if (answer?.status === 200) return void accepted++;
        await sleep(100);
      }
      throw new Error(`crash-${n} was never accepted`);
    };
    /** Each client writes, a message every 100–400 ms, until the last service is back. */
    const clients = Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        while (crashing) {
          await deliver(c, sent++);
          await sleep(100 + Math.random() * 300);
        }
      }),
    );
    /** Ann takes what is unassigned and answers in her inbox, through whatever is up. */
    const operator = (async () => {
      while (crashing) {
        const list = await ann.api.get('/api/v1/conversations?tab=unassigned&limit=3').catch(() => undefined);
        for (const item of list?.status === 200 ? list.body.items : []) {
          if ((await ann.api.post(`/api/v1/conversations/${item.id}/take`).catch(() => undefined))?.status === 200) {
            await ann.api.post(`/api/v1/conversations/${item.id}/messages`, { text: 'On it 🧯' }).catch(() => undefined);
          }
        }
        const mine = await ann.api.get('/api/v1/conversations?tab=mine&limit=2').catch(() => undefined);
        for (const item of mine?.status === 200 ? mine.body.items : []) {
          await ann.api.post(`/api/v1/conversations/${item.id}/messages`, { text: 'Still on it' }).catch(() => undefined);
          // D24: she tags the client's newest message, which tag analytics (D25) must count once.
          const history = await ann.api.get(`/api/v1/conversations/${item.id}/messages?limit=5`).catch(() => undefined);
          const newest = (history?.status === 200 ? history.body.items : []).find((m: { direction: string }) => m.direction === 'in');
          if (newest) await ann.api.post(`/api/v1/conversations/${item.id}/tags`, { messageIds: [newest.id], tagName: 'Crash' }).catch(() => undefined);
        }
        await sleep(100);
      }
    })();

    await waitFor('a first part accepted', () => accepted >= 40, { timeoutMs: 60_000 });
    for (const victim of VICTIMS) {
      await (victim === 'postgres' || victim === 'redis' ? infrastructure[victim]() : stack.restart(victim));
      killed.push(`${victim} at ${accepted}`);
      await sleep(1_000);
    }
    crashing = false;
    await clients;
    await operator;
    const MESSAGES = sent;
    db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
    expect(accepted).toBe(MESSAGES);

    await waitFor(`all ${MESSAGES} stored`, async () => (await count(`SELECT count(*)::int AS n FROM conversation.message WHERE external_message_id LIKE 'crash-%'`)) >= MESSAGES, { timeoutMs: 90_000, intervalMs: 500 });
    expect(await count(`SELECT count(DISTINCT external_message_id)::int AS n FROM conversation.message WHERE external_message_id LIKE 'crash-%'`)).toBe(MESSAGES);
    expect(await count(`SELECT count(*)::int AS n FROM conversation.message WHERE external_message_id LIKE 'crash-%'`)).toBe(MESSAGES);
    expect(await count(`SELECT count(*)::int AS n FROM conversation.client WHERE external_id LIKE 'crash-client-%'`)).toBe(CLIENTS);
    const replies = await count(`SELECT count(*)::int AS n FROM conversation.message WHERE sender_operator_id = $1 AND kind = 'text'`, [ann.id]);
    expect(replies).toBeGreaterThan(0);

    await waitFor(
      'every stored message, client or operator, in the search index',
      async () => (await count('SELECT count(*)::int AS n FROM conversation.message m WHERE NOT EXISTS (SELECT 1 FROM search.message s WHERE s.id = m.id)')) === 0,
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    for (const n of [0, Math.floor(MESSAGES / 2), MESSAGES - 1]) {
      const found = await ann.api.get(`/api/v1/search?q=crashword${n}`);
      expect(found.body.items.map((i: { matches: { text: string }[] }) => i.matches.map((m) => m.text))).toEqual([[`message ${n} crashword${n} 🧯`]]);
    }

    await waitFor('the counters equal PostgreSQL', async () => {
      const [redis, truth] = [(await ann.api.get('/api/v1/conversations/counters')).body, await countersInDatabase(db, ann.id, [sales])];
      if (!isDeepStrictEqual(redis, truth)) throw new Error(`Redis ${JSON.stringify(redis)} vs PostgreSQL ${JSON.stringify(truth)}`);
      return true;
    }, {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    const tagged = await count(`SELECT count(*)::int AS n FROM conversation.message_tag mt JOIN conversation.tag t ON t.id = mt.tag_id WHERE t.name = 'Crash'`);
    expect(tagged).toBeGreaterThan(0);
    const [today, tomorrow] = [0, 1].map((days) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10));
    await waitFor(
      'tag analytics counting each tagged message once',
      async () => {
        const { totals } = (await admin.get(`/api/v1/analytics/tags?from=${today}&to=${tomorrow}&interval=day`)).body as { totals: { name: string; count: number }[] };
        const counted = totals.find((t) => t.name === 'Crash')?.count;
        if (counted !== tagged) throw new Error(`analytics counts ${counted} of ${tagged}`);
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    await waitFor('every outbox emptied', async () => (await count('SELECT ((SELECT count(*) FROM conversation.outbox) + (SELECT count(*) FROM ingestion.outbox))::int AS n')) === 0, {
      timeoutMs: 30_000,
      intervalMs: 500,
    });

    const letters = await deadLettersOf(env);
    expect(Object.keys(letters).length).toBeGreaterThan(5);
    expect(letters).toEqual(Object.fromEntries(Object.keys(letters).map((consumer) => [consumer, []])));
    for (const key of ['gateway', 'ingestion', 'routing', 'conversation', 'search', 'analytics'] as const) expect({ key, exitCode: stack[key].process.exitCode }).toEqual({ key, exitCode: null });
    console.info(`crash test: ${accepted} client messages, ${replies} replies, ${tagged} tagged; killed ${killed.join(', ')}`);
  }, 300_000);
});
