import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Bus, makeEnvelope, peekDeadLetters, type DeadLetter } from '@relaydesk/bus';
import { clientKey, type InboundMessage } from '@relaydesk/contracts';
import { createLogger } from '@relaydesk/service-kit';
import { createTestEnv, HttpClient, infra, startStack, waitFor, type RunningService, type Stack, type TestEnv } from '@relaydesk/testing';
import { Client } from 'pg';

/**
 * D33 "never loses the good messages around it": a malformed bus message goes to the DLQ with its
 * reason while its neighbours are stored, and 1,000 client messages sent while RabbitMQ restarts
 * are each stored exactly once.
 *
 * The restart stops the whole broker, every vhost with it: this file must run alone, as the
 * integration suite does (`--runInBand`). It waits for the broker port, the management API and the
 * services to be back before it goes on, and starts the broker again if a test stops half-way.
 */

const exec = promisify(execFile);
const logger = createLogger('nothing-lost-test', process.env['TEST_LOG_LEVEL'] ?? 'silent');
const RABBITMQCTL = process.env['RABBITMQCTL'] ?? 'rabbitmqctl';
const CONSUMER = 'conversation.inbound';

const MESSAGES = 1000;
const CLIENTS = 100;

async function rabbitmqctl(command: 'stop_app' | 'start_app'): Promise<void> {
  await exec(RABBITMQCTL, [command], { timeout: 120_000 });
}

function portOpen(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 5672) });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(2_000, () => done(false));
  });
}

async function management(path: string): Promise<number> {
  const url = new URL(path, infra.rabbitAdmin);
  const auth = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
  url.username = '';
  url.password = '';
  const res = await fetch(url, { headers: { authorization: `Basic ${auth}` }, signal: AbortSignal.timeout(5_000) });
  await res.arrayBuffer();
  return res.status;
}

/** The broker's AMQP port, its management API and the test's vhost all answer again. */
async function waitForBroker(vhost: string): Promise<void> {
  const opts = { timeoutMs: 120_000, intervalMs: 500 };
  await waitFor('RabbitMQ port', () => portOpen(infra.amqp), opts);
  await waitFor('RabbitMQ management API', async () => (await management('/api/overview')) === 200, opts);
  await waitFor(`RabbitMQ vhost ${vhost}`, async () => (await management(`/api/vhosts/${encodeURIComponent(vhost)}`)) === 200, opts);
}

describe('nothing lost (D33)', () => {
  let env: TestEnv;
  let stack: Stack;
  let db: Client;
  let groupId: string;
  let channelId: string;
  let brokerStopped = false;
  let giveUp = false;
  const apiKey = `nothing-lost-key-${randomUUID()}`;
  const deadIds: string[] = [];
  /** What ingestion answered, other than 200, while the sender kept redelivering: status → count and an example. */
  const refusals = new Map<string, { count: number; example: string }>();

  const sql = async <T>(text: string, params: unknown[] = []): Promise<T[]> => (await db.query(text, params)).rows as T[];
  const services = () => [stack.gateway, stack.ingestion, stack.routing, stack.conversation];
  const outputs = () => services().map((s) => `--- ${s.name} (exit code ${String(s.process.exitCode)}):\n${s.output().slice(-6_000)}`).join('\n');

  /** Rethrows with what the services printed, which is what one needs when they did not recover. */
  async function explained<T>(run: () => Promise<T>, context: () => string = () => ''): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${context()}\n${outputs()}`);
    }
  }

  const storedCount = async (like: string) =>
    (
      await sql<{ stored: number; distinct_ids: number }>(
        'SELECT count(*)::int AS stored, count(DISTINCT external_message_id)::int AS distinct_ids FROM conversation.message WHERE channel_id = $1 AND external_message_id LIKE $2',
        [channelId, like],
      )
    )[0]!;

  beforeAll(async () => {
    env = await createTestEnv();
    stack = await startStack(env.env, { INBOX_PURGE_EVERY_MS: '300' });
    db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
    const api = new HttpClient(stack.gateway.url);
    const login = await api.post('/api/v1/auth/login', { email: stack.admin.email, password: stack.admin.password });
    expect(login.status).toBe(200);
    const admin = api.bearer(login.body.accessToken);
    groupId = (await admin.post('/api/v1/groups', { name: 'Everyone' })).body.id;
    const channel = await admin.post('/api/v1/channels', { type: 'api', name: 'Connector', groupId, settings: { apiKey } });
    expect(channel.status).toBe(201);
    channelId = channel.body.id;
  }, 120_000);

  afterAll(async () => {
    giveUp = true;
    if (brokerStopped) {
      await rabbitmqctl('start_app').catch((error: unknown) => console.error('could not start RabbitMQ again', error));
      await waitForBroker(env.name).catch((error: unknown) => console.error(error));
    }
    if (process.env['DEBUG_OUTPUT']) console.log(outputs());
    await db?.end();
    await stack?.stop();
    await env?.dispose();
  }, 180_000);

  it('D33: a malformed bus message lands in conversation.inbound.dlq with its reason, while the messages around it are stored', async () => {
    const bus = await Bus.connect({ url: env.amqpUrl, logger });
    try {
      const externalClientId = 'dlq-client';
      const partitionKey = clientKey({ channelId, externalClientId });
      const inbound = (externalMessageId: string): InboundMessage => ({
        channel: 'api', channelId, externalClientId, clientName: 'Dee', externalMessageId, sentAt: new Date().toISOString(), text: `text of ${externalMessageId}`,
      });
      const routed = (externalMessageId: string) => makeEnvelope('message.routed', { inbound: inbound(externalMessageId), groupId }, { source: 'test', partitionKey });
      const raw = (messageId: string, body: string) => ({ exchange: 'events', routingKey: 'message.routed', body: Buffer.from(body), headers: { 'partition-key': partitionKey }, messageId });

      const noGroup = routed('dlq-no-group');
      const { groupId: _dropped, ...payloadWithoutGroup } = noGroup.payload;
      const noMessageId = routed('dlq-no-message-id');
      const { externalMessageId: _gone, ...inboundWithoutId } = noMessageId.payload.inbound;
      const otherType = makeEnvelope('channel.configured', { channelId, type: 'api', name: 'Sneaky', groupId }, { source: 'test', partitionKey });
      const bad = {
        json: raw(`bad-json-${randomUUID()}`, '{"id": "broken", "type": "message.routed", "payload": {'),
        noGroup: raw(noGroup.id, JSON.stringify({ ...noGroup, payload: payloadWithoutGroup })),
        noMessageId: raw(noMessageId.id, JSON.stringify({ ...noMessageId, payload: { ...noMessageId.payload, inbound: inboundWithoutId } })),
        otherType: raw(otherType.id, JSON.stringify(otherType)),
      };
      deadIds.push(...Object.values(bad).map((b) => b.messageId));

      await bus.publish([routed('dlq-before')]);
      await bus.publishRaw([bad.json, bad.noGroup]);
      await bus.publish([routed('dlq-between')]);
      await bus.publishRaw([bad.noMessageId, bad.otherType]);
      await bus.publish([routed('dlq-after')]);

      await explained(() =>
        waitFor('the neighbours stored', async () => (await storedCount('dlq-%')).stored === 3 || undefined, { timeoutMs: 30_000, intervalMs: 200 }),
      );
      const stored = await sql<{ external_message_id: string }>('SELECT external_message_id FROM conversation.message WHERE channel_id = $1 AND external_message_id LIKE $2 ORDER BY created_at', [channelId, 'dlq-%']);
      expect(stored.map((r) => r.external_message_id)).toEqual(['dlq-before', 'dlq-between', 'dlq-after']);

      const dead = await explained(() =>
        waitFor('four dead letters', async () => {
          const letters = (await peekDeadLetters(bus, CONSUMER)).filter((d) => deadIds.includes(d.messageId));
          return letters.length === deadIds.length ? letters : undefined;
        }, { timeoutMs: 30_000, intervalMs: 200 }),
      );
      const reasonOf = (id: string) => dead.find((d: DeadLetter) => d.messageId === id)?.reason;
      expect(reasonOf(bad.json.messageId)).toBe('body is not JSON');
      expect(reasonOf(bad.noGroup.messageId)).toMatch(/^bad message\.routed payload: groupId: /);
      expect(reasonOf(bad.noMessageId.messageId)).toMatch(/^bad message\.routed payload: inbound\.externalMessageId: /);
      expect(reasonOf(bad.otherType.messageId)).toBe('routing key message.routed does not match the message type channel.configured');
      expect(dead.find((d) => d.messageId === bad.json.messageId)?.body).toBe(bad.json.body.toString());
    } finally {
      await bus.close();
    }
  }, 90_000);

  it(`D33: ${MESSAGES} client messages sent by ${CLIENTS} clients while RabbitMQ restarts are each stored exactly once`, async () => {
    const deadline = Date.now() + 180_000;
    let accepted = 0;
    let slowestAnswerMs = 0;
    const phases = { acceptedBeforeStop: -1, acceptedWhileStopping: -1, acceptedWhileAway: -1, acceptedAfter: -1, brokerAwayMs: -1, brokerBackAfterMs: -1 };
    const refuse = (what: string, example: string) => {
      const seen = refusals.get(what) ?? { count: 0, example };
      seen.count++;
      refusals.set(what, seen);
    };
    const tally = () => `accepted ${accepted}; slowest answer ${slowestAnswerMs} ms; phases ${JSON.stringify(phases)}; refusals ${JSON.stringify(Object.fromEntries(refusals))}`;

    /** Like a platform redelivering a webhook: the same message again until it is accepted with 200. */
    async function deliver(client: number, n: number): Promise<void> {
      const body = JSON.stringify({
        channel: 'api', channelId, externalClientId: `restart-client-${client}`, clientName: `Client ${client}`, externalMessageId: `restart-${n}`, sentAt: new Date().toISOString(), text: `message ${n} 🚚`,
      });
      for (;;) {
        if (Date.now() > deadline || giveUp) throw new Error(`restart-${n} was not accepted in time: ${tally()}`);
        const sentAt = Date.now();
        try {
          const res = await fetch(`${stack.ingestion.url}/ingest/v1/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
            body,
            signal: AbortSignal.timeout(30_000),
          });
          const text = await res.text();
          slowestAnswerMs = Math.max(slowestAnswerMs, Date.now() - sentAt);
          if (res.status === 200) {
            accepted++;
            return;
          }
          refuse(String(res.status), text.slice(0, 300));
        } catch (error) {
          refuse(`no answer (${(error as Error).name})`, String((error as Error).message));
        }
        await sleep(200 + Math.random() * 300);
      }
    }

    /** Each client sends its messages one after another, a second or two apart, as people type. */
    async function client(c: number): Promise<void> {
      await sleep(Math.random() * 1_500);
      for (let n = c; n < MESSAGES; n += CLIENTS) {
        await deliver(c, n);
        await sleep(1_000 + Math.random() * 1_500);
      }
    }

    const sending = Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
    sending.catch(() => undefined);
    await explained(() => waitFor('a first part accepted', () => accepted >= 150, { timeoutMs: 60_000, intervalMs: 50 }), tally);

    phases.acceptedBeforeStop = accepted;
    const stopping = Date.now();
    brokerStopped = true;
    await rabbitmqctl('stop_app');
    const stopped = Date.now();
    phases.acceptedWhileStopping = accepted - phases.acceptedBeforeStop;
    await sleep(2_000);
    // Operators' actions go on into the conversation service's outbox: it stays in the load balancer.
    // Ingestion acknowledges a webhook only once the broker has it: it is out until the broker is back.
    const ready = async (s: RunningService) => {
      const answer = await fetch(`${s.url}/ready`);
      return { http: answer.status, body: (await answer.json()) as object };
    };
    expect(await ready(stack.conversation)).toEqual({ http: 200, body: { status: 'ready', degraded: [expect.stringMatching(/^rabbitmq: /)] } });
    expect(await ready(stack.ingestion)).toMatchObject({ http: 503, body: { failures: ['rabbitmq'] } });
    await rabbitmqctl('start_app');
    brokerStopped = false;
    phases.acceptedWhileAway = accepted - phases.acceptedBeforeStop - phases.acceptedWhileStopping;
    phases.brokerAwayMs = Date.now() - stopped;
    await waitForBroker(env.name);
    phases.brokerBackAfterMs = Date.now() - stopping;
    const acceptedUntilBack = accepted;

    await explained(() => sending, tally);
    phases.acceptedAfter = accepted - acceptedUntilBack;
    expect(phases.acceptedAfter).toBeGreaterThan(0);
    await explained(
      () => waitFor('every service ready again', async () => (await Promise.all(services().map(async (s) => (await fetch(`${s.url}/ready`)).ok))).every(Boolean) || undefined, { timeoutMs: 60_000, intervalMs: 500 }),
      tally,
    );

    await explained(
      () => waitFor(`all ${MESSAGES} stored`, async () => (await storedCount('restart-%')).stored >= MESSAGES || undefined, { timeoutMs: 90_000, intervalMs: 500 }),
      tally,
    );
    expect(await storedCount('restart-%')).toEqual({ stored: MESSAGES, distinct_ids: MESSAGES });
    const [conversations] = await sql<{ conversations: number; unread: number }>(
      `SELECT count(*)::int AS conversations, sum(c.unread_count)::int AS unread
       FROM conversation.conversation c JOIN conversation.client cl ON cl.id = c.client_id WHERE cl.external_id LIKE 'restart-client-%'`,
    );
    expect(conversations).toEqual({ conversations: CLIENTS, unread: MESSAGES });
    await explained(() =>
      waitFor('outboxes emptied', async () => {
        const [row] = await sql<{ left: number }>('SELECT (SELECT count(*) FROM conversation.outbox) + (SELECT count(*) FROM ingestion.outbox) AS left');
        return Number(row?.left) === 0 || undefined;
      }, { timeoutMs: 30_000, intervalMs: 500 }),
    );
    for (const s of services()) expect({ service: s.name, exitCode: s.process.exitCode }).toEqual({ service: s.name, exitCode: null });
    console.info(`nothing-lost: ${tally()}`);
  }, 330_000);
  it('D33: while the broker is away ingestion answers 503 unavailable, never 500', () => {
    expect(refusals.get('500')).toBeUndefined();
    expect(refusals.get('503')?.example).toEqual(expect.stringContaining('"unavailable"'));
  });

  it('D33: after the restart the DLQs hold exactly the malformed messages: none lost, no good one dead-lettered', async () => {
    expect(deadIds).toHaveLength(4);
    const bus = await Bus.connect({ url: env.amqpUrl, logger });
    try {
      const letters = await peekDeadLetters(bus, CONSUMER, 1_000);
      expect(letters.map((d) => d.messageId).sort()).toEqual([...deadIds].sort());
      expect(await peekDeadLetters(bus, 'routing.inbound', 1_000)).toEqual([]);
      expect(await peekDeadLetters(bus, 'conversation.delivery', 1_000)).toEqual([]);
    } finally {
      await bus.close();
    }
  });

  it('D33: each service forgets handled message ids past INBOX_RETENTION_DAYS and keeps the ids of this run, which stop redeliveries', async () => {
    const schemas = ['routing', 'conversation', 'ingestion'];
    const recent = async (schema: string) => (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.inbox WHERE handled_at > now() - interval '1 day'`))[0]!.n;
    const kept = await recent('conversation');
    expect(kept).toBeGreaterThan(0);
    for (const schema of schemas) {
      await sql(`INSERT INTO ${schema}.inbox (consumer, message_id, handled_at) SELECT 'old.consumer', gen_random_uuid(), now() - interval '8 days' FROM generate_series(1, 50)`);
    }

    await waitFor(
      'the inbox rows past the retention purged in every service',
      async () => {
        const counts = await sql<{ old: number }>(schemas.map((schema) => `SELECT count(*)::int AS old FROM ${schema}.inbox WHERE handled_at < now() - interval '7 days'`).join(' UNION ALL '));
        return counts.every((c) => c.old === 0);
      },
      { timeoutMs: 15_000 },
    );
    expect(await recent('conversation')).toBeGreaterThanOrEqual(kept);
  });
});
