import { spawnSync } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { liveKeys } from '@relaydesk/live';
import { countersInDatabase } from './support/counters-in-database';
import { createTestEnv, rabbitAdminGet, startService, startStack, StreamClient, waitFor, Workspace, type HttpClient, type RunningService, type Stack, type TestEnv } from '@relaydesk/testing';

const root = join(__dirname, '..');

/** D14: the counters in Redis equal what PostgreSQL says, after a crash and after Redis loses them. */
describe('counters converge', () => {
  let env: TestEnv;
  let stack: Stack;
  let db: Client;
  let conversation: RunningService;
  const operators: { id: string; api: HttpClient; groupIds: string[]; allTab: boolean }[] = [];
  let groupIds: string[];

  const liveKeysOfTest = () => liveKeys(env.env['REDIS_PREFIX'] ?? '');
  const inDatabase = (o: (typeof operators)[number]) => countersInDatabase(db, o.id, o.groupIds, o);

  /** Every operator's counters equal the database's, once the system is quiet. */
  const converged = () =>
    waitFor(
      'counters equal to PostgreSQL',
      async () => {
        for (const o of operators) {
          const [redis, truth] = [(await o.api.get('/api/v1/conversations/counters')).body, await inDatabase(o)];
          if (!isDeepStrictEqual(redis, truth)) throw new Error(`operator ${o.id}: Redis ${JSON.stringify(redis)} vs PostgreSQL ${JSON.stringify(truth)}`);
        }
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );

  /** Operators working while clients write: takes, reads, closes, racing each other. */
  const work = async (sendAs: (client: string, text: string) => Promise<unknown>, rounds: number, tag: string) => {
    for (let round = 0; round < rounds; round++) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => sendAs(`client-${(round * 7 + i) % 30}`, `${tag} ${round}.${i}`).catch(() => undefined)));
      await Promise.all(
        operators.map(async (o, n) => {
          if (o.allTab) {
            // D27 moves conversations between the All and Blacklist figures, in both directions.
            const tab = round % 2 ? 'blacklist' : 'all';
            const [item] = (await o.api.get(`/api/v1/conversations?tab=${tab}&limit=1`)).body.items ?? [];
            if (item) await (tab === 'all' ? o.api.post(`/api/v1/conversations/${item.id}/blacklist`) : o.api.delete(`/api/v1/conversations/${item.id}/blacklist`)).catch(() => undefined);
          }
          const list = await o.api.get(`/api/v1/conversations?tab=${n % 2 ? 'unassigned' : 'mine'}&limit=5`);
          for (const item of list.body.items ?? []) {
            const action = item.status === 'unassigned' ? 'take' : (round + n) % 3 === 0 ? 'close' : 'read';
            await o.api.post(`/api/v1/conversations/${item.id}/${action}`).catch(() => undefined);
          }
        }),
      );
    }
  };

  beforeAll(async () => {
    env = await createTestEnv();
    stack = await startStack(env.env, { LIVE_STATE_CHECK_MS: '500' });
    conversation = stack.conversation;
    const workspace = await Workspace.open(stack);
    groupIds = [await workspace.group('North'), await workspace.group('South')];
    for (let i = 0; i < 4; i++) {
      const groups = [groupIds[i % 2]!];
      const allTab = i === 3;
      operators.push({ ...(await workspace.operator(`op${i}`, groups, allTab ? ['conversations.view_all'] : [])), groupIds: groups, allTab });
    }
    db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await conversation?.stop();
    await stack?.stop();
    await env?.dispose();
  });

  it('D14: the conversation service killed under load, between its commits and the Redis updates, converges to PostgreSQL', async () => {
    const north = await (await Workspace.open(stack)).apiChannel(groupIds[0]!);
    const south = await (await Workspace.open(stack)).apiChannel(groupIds[1]!);
    const sendAs = (client: string, text: string) => (client.endsWith('1') || client.endsWith('3') ? south : north).send(client, text);
    const first = (await sendAs('client-0', 'hello')) as { status: number; body: unknown };
    expect([first.status, first.body]).toEqual([200, expect.anything()]);
    await work(sendAs, 3, 'warm-up');

    const redis = new Redis(env.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
    try {
      for (let crash = 0; crash < 2; crash++) {
        const load = work(sendAs, 4, `crash ${crash}`);
        // Redis holds writes back for a moment: commits go on, their Redis updates wait; then the kill.
        await sleep(100);
        await redis.client('PAUSE', 3_000, 'WRITE');
        await sleep(400 + crash * 200);
        await conversation.kill();
        await redis.client('UNPAUSE');
        const { rows } = await db.query('SELECT count(*)::int AS n FROM conversation.outbox');
        console.info(`counters-converge: killed the conversation service with ${rows[0].n} committed events not yet in Redis`);
        expect(rows[0].n).toBeGreaterThan(0);
        await load;
        conversation = await startService('conversation', stack.env, { port: conversation.port });
      }
    } finally {
      await redis.client('UNPAUSE').catch(() => undefined);
      redis.disconnect();
    }
    await work(sendAs, 2, 'after');
    await converged();
    const { rows } = await db.query(`SELECT count(*) FILTER (WHERE status = 'in_progress')::int AS held, count(*) FILTER (WHERE unread_count > 0)::int AS unread FROM conversation.conversation`);
    expect(rows[0].held + rows[0].unread).toBeGreaterThan(0);
  }, 240_000);

  it('D14: changes that Redis refuses go to the live consumer alone, which applies them once Redis takes them again', async () => {
    const bindings = (await rabbitAdminGet(`/api/exchanges/${env.name}/events/bindings/source`)) as { destination: string }[];
    const sources = bindings.map((b) => b.destination);
    expect(sources).toContain('search.index');
    expect(sources).not.toContain('conversation.live');

    // The conversation service talks to Redis as a user of its own, whose scripts Redis can refuse
    // (NOPERM) without touching any other client of the server.
    const admin = new Redis(env.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
    const user = `${env.name}_conversation`;
    const redisUrl = new URL(env.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
    [redisUrl.username, redisUrl.password] = [user, `${user}-password`];
    await admin.call('ACL', 'SETUSER', user, 'on', `>${user}-password`, '~*', '&*', '+@all');
    try {
      await conversation.stop();
      conversation = await startService('conversation', { ...stack.env, REDIS_URL: redisUrl.toString() }, { port: conversation.port });
      // A group of its own, so that its Unassigned tab holds just these conversations.
      const workspace = await Workspace.open(stack);
      const group = await workspace.group('Refusals');
      const channel = await workspace.apiChannel(group);
      const taker = { ...(await workspace.operator('refusals-op', [group])), groupIds: [group], allTab: false };
      operators.push(taker);
      await Promise.all(Array.from({ length: 5 }, (_, i) => channel.send(`refused-${i}`, `before Redis refuses ${i}`)));
      const waiting = await waitFor('the new conversations listed', async () => {
        const { items } = (await taker.api.get('/api/v1/conversations?tab=unassigned&limit=50')).body as { items: { id: string; client: { name: string } }[] };
        const these = items.filter((i) => i.client.name.startsWith('refused-'));
        return these.length === 5 ? these : undefined;
      });
      await converged();

      await admin.call('ACL', 'SETUSER', user, '-@scripting');
      for (const { id } of waiting) expect((await taker.api.post(`/api/v1/conversations/${id}/take`)).status).toBe(200);
      await waitFor('the relay gave up on Redis', () => /local delivery failed/.test(conversation.output()) || undefined, { timeoutMs: 10_000 });
      await admin.call('ACL', 'SETUSER', user, '+@all');
      // No change follows: only the live consumer can bring the takes into Redis.
      await converged();
    } finally {
      await admin.call('ACL', 'SETUSER', user, '+@all');
      await conversation.stop();
      conversation = await startService('conversation', stack.env, { port: conversation.port });
      await admin.call('ACL', 'DELUSER', user);
      admin.disconnect();
    }
  });

  it('D14: after Redis loses the live state, the rebuild command recomputes it from PostgreSQL and tells the screens to reload', async () => {
    const redis = new Redis(env.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
    const stream = await StreamClient.open(stack.gateway.url, { api: operators[0]!.api });
    try {
      const keys = await redis.keys(`${env.env['REDIS_PREFIX']}live:*`);
      expect(keys.length).toBeGreaterThan(1);
      // The built marker stays, so that the service's own check leaves the rebuild to the command here.
      await redis.del(...keys.filter((k) => k !== liveKeysOfTest().stream && k !== liveKeysOfTest().built));
      // And what is left is wrong: a conversation that does not exist counts in someone's inbox.
      await redis.sadd(`${env.env['REDIS_PREFIX']}live:mine:${operators[0]!.id}`, 'no-such-conversation');
      const wrong = await operators[0]!.api.get('/api/v1/conversations/counters');
      expect(wrong.body.mine).toBe((await inDatabase(operators[0]!)).mine + 1);

      const rebuild = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'services/conversation/src/rebuild-live-state.ts')], { cwd: root, env: { ...process.env, ...stack.env, LOG_LEVEL: 'info' }, encoding: 'utf8' });
      expect(rebuild.status).toBe(0);
      expect(rebuild.stdout + rebuild.stderr).toMatch(/live state rebuilt/);
      await converged();
      expect((await stream.next('reload')).data.reason).toMatch(/rebuilt/);
    } finally {
      await stream.close();
      redis.disconnect();
    }
  });

  it('D14: when Redis restarts without its data, the conversation service notices and rebuilds the counters by itself', async () => {
    const redis = new Redis(env.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
    try {
      const keys = await redis.keys(`${env.env['REDIS_PREFIX']}live:*`);
      await redis.del(...keys);
      await converged();
      expect(await redis.exists(liveKeysOfTest().built)).toBe(1);
    } finally {
      redis.disconnect();
    }
  });
});
