import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { isDeepStrictEqual, promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { createTestEnv, postWhatsappWebhook, startStack, waitFor, WhatsappStandIn, whatsappWebhookBody, Workspace, type HttpClient, type Stack, type StackService, type TestEnv } from '@relaydesk/testing';
import { countersInDatabase } from './support/counters-in-database';
import { deadLettersOf } from './support/dead-letters';
import { LiveScreen } from './support/live-screen';

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
 * D33, D14, D15, D24–D26 across crashes: no service may lose or repeat what it was handling when it,
 * the database or Redis died. Clients redeliver until ingestion answers 200, as the platforms do;
 * each message carries a word of its own, so the search index can be checked message by message.
 */
describe('every service, PostgreSQL and Redis killed and restarted while clients write and an operator works', () => {
  let env: TestEnv;
  let stack: Stack;
  let db: Client;
  let channel: Awaited<ReturnType<Workspace['apiChannel']>>;
  let ann: { id: string; api: HttpClient };
  let sales: string;
  let admin: HttpClient;
  let whatsapp: WhatsappStandIn;
  let whatsappChannel: string;
  const screens: LiveScreen[] = [];
  const wa = { accessToken: 'crash-wa-token', appSecret: 'crash-wa-secret', phoneNumberId: '106540352242988' };

  const sql = async <T>(text: string, params: unknown[] = []): Promise<T[]> => (await db.query(text, params)).rows as T[];
  const count = async (text: string, params: unknown[] = []) => (await sql<{ n: number }>(text, params))[0]!.n;
  const expectNoDeadLetters = async () => {
    const letters = await deadLettersOf(env);
    expect(Object.keys(letters).length).toBeGreaterThan(5);
    expect(letters).toEqual(Object.fromEntries(Object.keys(letters).map((consumer) => [consumer, []])));
  };
  /** A connection opened after the crashes: PostgreSQL's restart ends the ones before. */
  const reconnect = async () => {
    await db?.end().catch(() => undefined);
    db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
  };
  const restart = (victim: (typeof VICTIMS)[number]) => (victim === 'postgres' || victim === 'redis' ? infrastructure[victim]() : stack.restart(victim));

  beforeAll(async () => {
    env = await createTestEnv();
    stack = await startStack(env.env, { LIVE_STATE_CHECK_MS: '500' });
    const workspace = await Workspace.open(stack);
    admin = workspace.admin;
    sales = await workspace.group('Sales');
    ann = await workspace.operator('Ann', [sales]);
    channel = await workspace.apiChannel(sales);
    whatsapp = await WhatsappStandIn.start({ accessToken: wa.accessToken });
    const created = await admin.post('/api/v1/channels', { type: 'whatsapp', name: 'WhatsApp', groupId: sales, settings: { ...wa, verifyToken: 'crash-verify', apiBaseUrl: whatsapp.apiBaseUrl } });
    expect(created.status).toBe(201);
    whatsappChannel = created.body.id;
  }, 120_000);

  afterAll(async () => {
    for (const screen of screens) screen.stop();
    await db?.end().catch(() => undefined);
    await stack?.stop();
    await env?.dispose();
    await whatsapp?.stop();
  });

  it('D33, D13, D14, D25, D26: each client message is stored once, indexed for search and counted, each tag counted once, her live screen equals a fresh read, no consumer dead-letters, every outbox empties', async () => {
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
        // Now and then she closes one; its client's next message returns it to Unassigned (D6).
        const [closing] = Math.random() < 0.2 && mine?.status === 200 ? mine.body.items : [];
        if (closing) await ann.api.post(`/api/v1/conversations/${closing.id}/close`).catch(() => undefined);
        await sleep(100);
      }
    })();

    // Her screen: each tab as the web app keeps it, by its own stream client and reducer.
    screens.push(...(await Promise.all((['unassigned', 'mine', 'closed'] as const).map((tab) => LiveScreen.open(ann.api, stack.gateway.url, ann.id, tab)))));
    await waitFor('a first part accepted', () => accepted >= 40, { timeoutMs: 60_000 });
    for (const victim of VICTIMS) {
      await restart(victim);
      killed.push(`${victim} at ${accepted}`);
      await sleep(1_000);
    }
    crashing = false;
    await clients;
    await operator;
    // Last, the gateway dies while clients write and nothing follows: the screens see those
    // messages only if their stream resumes where it left off (or reloads).
    await stack.restart('gateway', async () => {
      await Promise.all([0, 1, 2, 3, 4, CLIENTS, CLIENTS + 1].map((c) => deliver(c, sent++)));
      await reconnect();
      await waitFor('the messages sent while the gateway was down stored', async () => (await count(`SELECT count(*)::int AS n FROM conversation.message WHERE external_message_id LIKE 'crash-%'`)) === sent, { timeoutMs: 30_000 });
    });
    killed.push(`gateway at ${accepted}`);
    const MESSAGES = sent;
    await reconnect();
    expect(accepted).toBe(MESSAGES);

    await waitFor(`all ${MESSAGES} stored`, async () => (await count(`SELECT count(*)::int AS n FROM conversation.message WHERE external_message_id LIKE 'crash-%'`)) >= MESSAGES, { timeoutMs: 90_000, intervalMs: 500 });
    expect(await count(`SELECT count(DISTINCT external_message_id)::int AS n FROM conversation.message WHERE external_message_id LIKE 'crash-%'`)).toBe(MESSAGES);
    expect(await count(`SELECT count(*)::int AS n FROM conversation.message WHERE external_message_id LIKE 'crash-%'`)).toBe(MESSAGES);
    expect(await count(`SELECT count(*)::int AS n FROM conversation.client WHERE external_id LIKE 'crash-client-%'`)).toBe(CLIENTS + 2);
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
    await waitFor(
      'each tab of her screen, kept by the stream through the crashes, equal to a fresh read',
      async () => {
        for (const screen of screens) {
          const { tab, items, counters, stale, loading } = screen.state;
          const read = { items: ((await ann.api.get(`/api/v1/conversations?tab=${tab}&limit=50`)).body.items as { id: string }[]).map((i) => i.id), counters: (await ann.api.get('/api/v1/conversations/counters')).body };
          const shown = { items: items.map((i) => i.id), counters, stale, loading };
          if (!isDeepStrictEqual(shown, { ...read, stale: false, loading: false })) throw new Error(`${tab}: screen ${JSON.stringify(shown)} vs read ${JSON.stringify(read)}`);
        }
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    const screenLog = screens.map((s) => `${s.state.tab} ${s.seen.frames} frames, ${s.seen.reads} reads`).join('; ');
    for (const screen of screens.splice(0)) screen.stop();
    await waitFor('every outbox emptied', async () => (await count('SELECT ((SELECT count(*) FROM conversation.outbox) + (SELECT count(*) FROM ingestion.outbox))::int AS n')) === 0, {
      timeoutMs: 30_000,
      intervalMs: 500,
    });

    await expectNoDeadLetters();
    for (const key of ['gateway', 'ingestion', 'routing', 'conversation', 'search', 'analytics'] as const) expect({ key, exitCode: stack[key].process.exitCode }).toEqual({ key, exitCode: null });
    console.info(`crash test: ${accepted} client messages, ${replies} replies, ${tagged} tagged; screens: ${screenLog}; killed ${killed.join(', ')}`);
  }, 300_000);

  it('D15, D33: replies to WhatsApp clients, each retried with its Idempotency-Key while ingestion, the conversation service and PostgreSQL die, are each stored once, reach WhatsApp and end "sent"', async () => {
    const numbers = Array.from({ length: 8 }, (_, i) => `4915200000${String(i).padStart(3, '0')}`);
    for (const [i, from] of numbers.entries()) {
      const webhook = whatsappWebhookBody(wa.phoneNumberId, { messages: [{ from, id: `wamid.crash-in-${i}`, type: 'text', text: { body: 'Hello?' } }] });
      expect((await postWhatsappWebhook(stack.ingestion.url, whatsappChannel, wa.appSecret, webhook)).status).toBe(200);
    }
    const conversations = await waitFor('the WhatsApp conversations listed', async () => {
      const items = ((await ann.api.get('/api/v1/conversations?tab=unassigned&limit=50')).body.items as { id: string; client: { channel: string } }[]).filter((i) => i.client.channel === 'whatsapp');
      return items.length === numbers.length ? items.map((i) => i.id) : undefined;
    });
    for (const id of conversations) expect((await ann.api.post(`/api/v1/conversations/${id}/take`)).status).toBe(200);

    let replying = true;
    let sent = 0;
    /** Like the web app on a weak connection: the same reply, with the same key, until it is answered 2xx. */
    const reply = async (k: number) => {
      for (let tries = 0; tries < 600; tries++) {
        const answer = await ann.api.post(`/api/v1/conversations/${conversations[k % conversations.length]}/messages`, { text: `reply ${k} 🧯` }, { 'idempotency-key': `crash-reply-${k}` }).catch(() => undefined);
        if (answer && answer.status < 300) return;
        await sleep(100);
      }
      throw new Error(`reply ${k} was never answered 2xx`);
    };
    const replies = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (replying) {
          await reply(sent++);
          await sleep(50);
        }
      }),
    );
    await waitFor('a first part sent', () => sent >= 20, { timeoutMs: 60_000 });
    await db.end();
    const killed: string[] = [];
    for (const victim of ['ingestion', 'conversation', 'postgres', 'ingestion', 'gateway'] as const) {
      await restart(victim);
      killed.push(`${victim} at ${sent}`);
      await sleep(1_000);
    }
    replying = false;
    await replies;

    await reconnect();
    const texts = Array.from({ length: sent }, (_, k) => `reply ${k} 🧯`);
    const stored = await sql<{ text: string; n: number }>(`SELECT text, count(*)::int AS n FROM conversation.message WHERE text = ANY($1) GROUP BY text`, [texts]);
    expect(stored.filter((r) => r.n !== 1)).toEqual([]);
    expect(stored).toHaveLength(sent);
    await waitFor(
      'every reply "sent" by WhatsApp',
      async () => {
        const unsettled = await sql<{ text: string; delivery_status: string | null }>(`SELECT text, delivery_status FROM conversation.message WHERE text = ANY($1) AND delivery_status IS DISTINCT FROM 'sent'`, [texts]);
        if (unsettled.length > 0) throw new Error(`${unsettled.length} not sent, e.g. ${JSON.stringify(unsettled.slice(0, 3))}`);
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const atWhatsapp = whatsapp.sentMessages().map((m) => (m['text'] as { body: string } | undefined)?.body);
    expect(texts.filter((t) => !atWhatsapp.includes(t))).toEqual([]);
    // A platform takes no idempotency key: a send WhatsApp took just before ingestion (or the database
    // holding its outcome) died is sent again. At most the sends in flight then: 4 repliers, 3 deaths.
    const repeats = atWhatsapp.filter((t) => t?.startsWith('reply ')).length - sent;
    expect(repeats).toBeLessThanOrEqual(12);
    await expectNoDeadLetters();
    console.info(`crash test, WhatsApp replies: ${sent} replies, ${repeats} sent twice; killed ${killed.join(', ')}`);
  }, 300_000);
});
