import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import amqp, { type ChannelModel, type ConsumeMessage } from 'amqplib';
import { Client } from 'pg';
import { createTestEnv, HttpClient, infra, startStack, type Stack, type TestEnv } from '@relaydesk/testing';
import { analyticsBenchConfig, reportAnalytics, runAnalyticsBench } from './analytics-bench';
import { reportList, runListBench } from './list-pages';
import { reportPush, runPushBench } from './push-latency';
import { reportSearch, runSearchBench } from './search-bench';
import { reportWebhook, runWebhookBench } from './webhook-accept';
import { buildUi, reportUi, runUiBench, uiBenchConfig } from './ui-bench';
import { measurePostgres, measureRabbit, type PostgresFloor, type RabbitFloor } from './raw-floors';
import { Sampler, cpuBetween, cpuSnapshot, queueDepths, type CpuUse } from './sampler';
import { intEnv, line, ms, perSec, ratio, round, summarize } from './stats';

/**
 * `npm run bench`: the sustained inbound rate of the real pipeline on this machine, as a ratio of
 * the raw PostgreSQL and RabbitMQ rates measured in the same run.
 *   POST /ingest/v1/messages → inbound.api → routing → message.routed → conversation (inbox, store,
 *   outbox) → relay → message.received, which a consumer of the bench's own sees.
 * Then inbound → WebSocket push latency at a steady rate with many operators connected, beside one
 * confirmed hop + one PostgreSQL transaction (bench/push-latency.ts), and the list endpoint on
 * 100,000 conversations / 1,000,000 messages beside the raw SQL of the same page
 * (bench/list-pages.ts), WhatsApp webhook accept latency (bench/webhook-accept.ts), and search on
 * 100,000 conversations / 1,000,000 messages of text in several languages: full reindex, index size,
 * queries beside the plain SQL lookup of the same rows, indexing lag (bench/search-bench.ts).
 * Tag analytics on 1,000,000 tagged messages beside the raw SQL of the same aggregate (bench/analytics-bench.ts).
 * The operator web app's bundle size and, with 10,000 conversations, its first load in Chromium (bench/ui-bench.ts).
 * `--only=pipeline|push|webhook|list|search|analytics|ui` (or BENCH_ONLY) runs one part.
 * Writes bench/results/latest.json; exits 1 if a message is lost or the pipeline stalls.
 */


const parts = ['pipeline', 'push', 'webhook', 'list', 'search', 'analytics', 'ui'] as const;
type Part = (typeof parts)[number];

/** `--only=<part>` on the command line (npm run bench -- --only=list) or BENCH_ONLY; every part by default. */
function selectedParts(): Part[] {
  const arg = process.argv.slice(2).find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const only = arg ?? process.env['BENCH_ONLY'];
  if (only === undefined || only === '') return [...parts];
  if (!(parts as readonly string[]).includes(only)) throw new Error(`--only must be one of ${parts.join(', ')}, got ${only}`);
  return [only as Part];
}

const config = {
  only: selectedParts(),
  messages: intEnv('BENCH_MESSAGES', 20_000),
  clients: intEnv('BENCH_CLIENTS', 2_000),
  concurrency: intEnv('BENCH_CONCURRENCY', 64),
  /** Target send rate in msg/s; 0 sends as fast as the concurrency allows (the throughput run). */
  rate: intEnv('BENCH_RATE', 0),
  warmup: intEnv('BENCH_WARMUP', 500),
  rawSeconds: intEnv('BENCH_RAW_SECONDS', 6),
  pgWorkers: intEnv('BENCH_PG_WORKERS', 8),
  rabbitWindow: intEnv('BENCH_RABBIT_WINDOW', 64),
  /** From the first message sent to the last one stored. */
  timeoutSeconds: intEnv('BENCH_TIMEOUT_SECONDS', 150),
  /** No new message stored for this long fails the run at once. */
  stallSeconds: intEnv('BENCH_STALL_SECONDS', 30),
  /** Inbound → WebSocket push latency at a steady rate with many operators connected (issue 4). */
  push: {
    operators: intEnv('BENCH_PUSH_OPERATORS', 50),
    /** The issue's 500 msg/s, and a rate this machine's whole pipeline keeps up with, for the curve. */
    rates: (process.env['BENCH_PUSH_RATES'] ?? '100,500').split(',').map(Number),
    seconds: intEnv('BENCH_PUSH_SECONDS', 10),
    clients: intEnv('BENCH_PUSH_CLIENTS', 500),
  },
  /** WhatsApp webhook accept latency at a steady rate (issue 5). */
  webhook: {
    /** The issue's 500 req/s, and a rate this machine's whole pipeline keeps up with, for the curve. */
    rates: (process.env['BENCH_WEBHOOK_RATES'] ?? '100,500').split(',').map(Number),
    seconds: intEnv('BENCH_WEBHOOK_SECONDS', 10),
    clients: intEnv('BENCH_WEBHOOK_CLIENTS', 500),
  },
  list: {
    conversations: intEnv('BENCH_LIST_CONVERSATIONS', 100_000),
    messagesPerConversation: intEnv('BENCH_LIST_MESSAGES_PER_CONVERSATION', 10),
    /** Sequential requests per page and path, after `warmup` more. */
    requests: intEnv('BENCH_LIST_REQUESTS', 300),
    warmup: intEnv('BENCH_LIST_WARMUP', 30),
    deepRows: intEnv('BENCH_LIST_DEEP_ROWS', 5_000),
    limit: intEnv('BENCH_LIST_LIMIT', 50),
  },
  /** Search on realistic text (issue 6). */
  search: {
    conversations: intEnv('BENCH_SEARCH_CONVERSATIONS', 100_000),
    messagesPerConversation: intEnv('BENCH_SEARCH_MESSAGES_PER_CONVERSATION', 10),
    /** Sequential requests per query, caller and path, after `warmup` more. */
    requests: intEnv('BENCH_SEARCH_REQUESTS', 200),
    warmup: intEnv('BENCH_SEARCH_WARMUP', 20),
    /** A query whose paths are slow stops sooner: after this many seconds (with at least `warmup` samples). */
    caseSeconds: intEnv('BENCH_SEARCH_CASE_SECONDS', 30),
    lagMessages: intEnv('BENCH_SEARCH_LAG_MESSAGES', 500),
    lagRate: intEnv('BENCH_SEARCH_LAG_RATE', 50),
  },
};

class BenchFailure extends Error {}

/** message.received events seen by the bench, keyed by the `<kind> <n>` token in their text. */
class ReceivedListener {
  readonly benchAt: Float64Array;
  benchCount = 0;
  warmupCount = 0;
  duplicates = 0;
  foreign = 0;
  lastAt = 0;
  /** Set when the bench's consumer lost its queue: its exclusive queue, and what was in it, is gone. */
  lost: string | undefined;
  private closing = false;
  private readonly warmupSeen = new Set<number>();

  private constructor(
    private readonly connection: ChannelModel,
    size: number,
  ) {
    this.benchAt = new Float64Array(size).fill(NaN);
  }

  static async open(amqpUrl: string, size: number): Promise<ReceivedListener> {
    const connection = await amqp.connect(amqpUrl);
    const listener = new ReceivedListener(connection, size);
    const onLoss = (reason: string) => {
      if (!listener.closing) listener.lost ??= `the bench's message.received consumer lost ${reason} (was RabbitMQ restarted?); the run cannot count stored messages any more`;
    };
    connection.on('error', (error: Error) => onLoss(`its connection: ${error.message}`));
    connection.on('close', () => onLoss('its connection'));
    const channel = await connection.createChannel();
    channel.on('close', () => onLoss('its channel'));
    await channel.assertExchange('events', 'topic', { durable: true });
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    await channel.bindQueue(queue, 'events', 'message.received');
    await channel.consume(queue, (d) => d && listener.receive(d), { noAck: true });
    return listener;
  }

  private receive(d: ConsumeMessage): void {
    const now = performance.now();
    const text = (JSON.parse(d.content.toString('utf8')) as { payload?: { text?: string | null } }).payload?.text ?? '';
    const match = /^(bench|warmup) (\d+)$/.exec(text);
    if (!match) {
      this.foreign++;
      return;
    }
    const n = Number(match[2]);
    if (match[1] === 'warmup') {
      if (this.warmupSeen.has(n)) {
        this.duplicates++;
      } else {
        this.warmupSeen.add(n);
        this.warmupCount++;
      }
      return;
    }
    if (!Number.isNaN(this.benchAt[n]!)) {
      this.duplicates++;
      return;
    }
    this.benchAt[n] = now;
    this.benchCount++;
    this.lastAt = now;
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.connection.close().catch(() => undefined);
  }
}

type SendResult = { acceptedAt: Float64Array; httpMs: number[]; errors: string[]; errorCount: number; started: number; firstAccept: number; lastAccept: number };

/** POSTs messages `0 … count-1` to ingestion with `concurrency` requests in flight on kept-alive sockets. */
async function sendAll(
  ingestionUrl: string,
  apiKey: string,
  count: number,
  body: (n: number) => object,
  opts: { concurrency: number; rate: number; abort: () => string | undefined },
): Promise<SendResult> {
  const url = new URL('/ingest/v1/messages', ingestionUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const result: SendResult = { acceptedAt: new Float64Array(count).fill(NaN), httpMs: [], errors: [], errorCount: 0, started: performance.now(), firstAccept: Infinity, lastAccept: 0 };
  const post = (payload: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        { agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization: `Bearer ${apiKey}` } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          res.on('error', reject);
        },
      );
      req.setTimeout(config.stallSeconds * 1000, () => req.destroy(new Error(`no answer within ${config.stallSeconds} s`)));
      req.on('error', reject);
      req.end(payload);
    });
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: Math.min(opts.concurrency, count) }, async () => {
        for (let n = next++; n < count; n = next++) {
          const abort = opts.abort();
          if (abort) throw new BenchFailure(abort);
          if (opts.rate > 0) {
            const due = result.started + (n * 1000) / opts.rate;
            const wait = due - performance.now();
            if (wait > 0) await sleep(wait);
          }
          const t0 = performance.now();
          try {
            const res = await post(JSON.stringify(body(n)));
            const t1 = performance.now();
            if (res.status === 200 && !res.text.includes('"duplicate":true')) {
              result.acceptedAt[n] = t1;
              result.httpMs.push(t1 - t0);
              result.firstAccept = Math.min(result.firstAccept, t1);
              result.lastAccept = Math.max(result.lastAccept, t1);
              continue;
            }
            throw new Error(`HTTP ${res.status} ${res.text.slice(0, 200)}`);
          } catch (error) {
            result.errorCount++;
            if (result.errors.length < 5) result.errors.push(`message ${n}: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  return result;
}

/** Waits until `seen()` reaches `expected()`; fails when nothing more is stored for `stallSeconds`, past `deadline`, or when the listener is gone. */
async function waitStored(what: string, listener: ReceivedListener, expected: () => number, seen: () => number, deadline: number): Promise<void> {
  let last = seen();
  let lastProgress = performance.now();
  while (seen() < expected()) {
    if (listener.lost) throw new BenchFailure(`${what}: ${listener.lost}`);
    await sleep(50);
    const now = performance.now();
    if (seen() !== last) {
      last = seen();
      lastProgress = now;
    }
    if (now - lastProgress > config.stallSeconds * 1000) {
      throw new BenchFailure(`${what}: pipeline stalled, ${seen()} of ${expected()} messages stored and none for ${config.stallSeconds} s`);
    }
    if (now > deadline) throw new BenchFailure(`${what}: timed out, ${seen()} of ${expected()} messages stored after ${config.timeoutSeconds} s`);
  }
  if (listener.duplicates > 0) console.warn(`note: ${listener.duplicates} message.received events arrived twice (at-least-once relay)`);
}

const SERVICES = ['gateway', 'ingestion', 'routing', 'conversation'] as const;

async function setUpChannel(stack: Stack, apiKey: string): Promise<string> {
  const gateway = new HttpClient(stack.gateway.url);
  const login = await gateway.post('/api/v1/auth/login', stack.admin);
  if (login.status !== 200) throw new Error(`admin login: HTTP ${login.status} ${JSON.stringify(login.body)}`);
  const admin = gateway.bearer(login.body.accessToken);
  const group = await admin.post('/api/v1/groups', { name: 'Bench' });
  if (group.status !== 201) throw new Error(`create group: HTTP ${group.status} ${JSON.stringify(group.body)}`);
  const channel = await admin.post('/api/v1/channels', { type: 'api', name: 'Bench connector', groupId: group.body.id, settings: { apiKey } });
  if (channel.status !== 201) throw new Error(`create channel: HTTP ${channel.status} ${JSON.stringify(channel.body)}`);
  return channel.body.id as string;
}

async function countStored(databaseUrl: string): Promise<{ messages: number; clients: number; conversations: number }> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const [row] = (
      await db.query<{ messages: number; clients: number; conversations: number }>(`
        SELECT (SELECT count(*)::int FROM conversation.message WHERE external_message_id LIKE 'bench-%') AS messages,
               (SELECT count(*)::int FROM conversation.client WHERE external_id LIKE 'client-%') AS clients,
               (SELECT count(*)::int FROM conversation.conversation c JOIN conversation.client k ON k.id = c.client_id WHERE k.external_id LIKE 'client-%') AS conversations`)
    ).rows;
    return row!;
  } finally {
    await db.end();
  }
}

/** Every service of the stack: those the pipeline passes through, then the projections beside it. */
const STACK_SERVICES = [...SERVICES, 'search', 'notification', 'analytics'] as const;

/** The bench and every service of the stack by pid, for `cpuSnapshot`; the rest is grouped by command. */
function namedProcesses(stack: Stack): Map<number, string> {
  return new Map<number, string>([[process.pid, 'bench'], ...STACK_SERVICES.map((s) => [stack[s].process.pid!, s] as const)]);
}

const CPU_ORDER = [...STACK_SERVICES, 'postgres', 'rabbitmq', 'redis', 'bench', 'other'];

/** CPU per group in % of one core, the stack's services first. */
function cpuFigures(cpu: CpuUse): string {
  return CPU_ORDER.map((g) => `${g} ${cpu.byGroup[g] ?? 0}`).join('  ');
}

async function runPipeline(env: TestEnv, stack: Stack, floors: { postgres: PostgresFloor; rabbitmq: RabbitFloor }) {
  const apiKey = `bench-api-key-${env.name}`;
  const channelId = await setUpChannel(stack, apiKey);
  const listener = await ReceivedListener.open(env.amqpUrl, config.messages);
  try {
    const message = (kind: 'bench' | 'warmup', client: string, n: number) => ({
      channel: 'api',
      channelId,
      externalClientId: client,
      clientName: `Client ${client}`,
      externalMessageId: `${kind}-${n}`,
      sentAt: new Date().toISOString(),
      text: `${kind} ${n}`,
    });

    // Warm-up: routing learns the channel (channel.configured), code paths get compiled, pools fill.
    if (config.warmup > 0) {
      const warm = await sendAll(stack.ingestion.url, apiKey, config.warmup, (n) => message('warmup', `warmup-${n % 50}`, n), { concurrency: config.concurrency, rate: 0, abort: () => listener.lost });
      if (warm.errorCount > 0) throw new BenchFailure(`warm-up: ingestion rejected ${warm.errorCount} messages, e.g. ${warm.errors.join('; ')}`);
      await waitStored('warm-up', listener, () => config.warmup, () => listener.warmupCount, performance.now() + 60_000);
    }

    const pids = Object.fromEntries(SERVICES.map((s) => [s, stack[s].process.pid!]));
    const named = namedProcesses(stack);
    const sampler = new Sampler(pids, { adminUrl: infra.rabbitAdmin, vhost: env.name }).start();
    const cpuBefore = cpuSnapshot(named);
    let sent: SendResult;
    let storedAtLastAccept: number;
    try {
      sent = await sendAll(stack.ingestion.url, apiKey, config.messages, (n) => message('bench', `client-${n % config.clients}`, n), { concurrency: config.concurrency, rate: config.rate, abort: () => listener.lost });
      storedAtLastAccept = listener.benchCount;
      const accepted = config.messages - sent.errorCount;
      if (sent.errorCount > 0) console.error(`ingestion rejected ${sent.errorCount} messages, e.g. ${sent.errors.join('; ')}`);
      await waitStored('pipeline', listener, () => accepted, () => listener.benchCount, sent.started + config.timeoutSeconds * 1000);
    } finally {
      sampler.stop();
    }
    const cpu = cpuBetween(cpuBefore, cpuSnapshot(named));

    if (sent.errorCount > 0) throw new BenchFailure(`ingestion rejected ${sent.errorCount} of ${config.messages} messages, e.g. ${sent.errors.join('; ')}`);
    const stored = await countStored(env.databaseUrl);
    if (stored.messages !== config.messages) throw new BenchFailure(`lost messages: ${config.messages} sent and accepted, ${stored.messages} stored in conversation.message`);
    if (listener.benchCount !== config.messages) throw new BenchFailure(`lost events: ${config.messages} stored, ${listener.benchCount} message.received seen`);

    const latencies: number[] = [];
    for (let n = 0; n < config.messages; n++) latencies.push(Math.max(0, listener.benchAt[n]! - sent.acceptedAt[n]!));
    const endToEndMs = listener.lastAt - sent.firstAccept;
    const acceptMs = sent.lastAccept - sent.started;
    const queues = Object.values(sampler.maxQueue)
      .filter((q) => q.messages > 0)
      .sort((a, b) => b.messages - a.messages);
    return {
      channelId,
      ingestion: { accepted: config.messages, durationMs: round(acceptMs), msgPerSec: round(perSec(config.messages, acceptMs)), ratioToRawRabbit: ratio(perSec(config.messages, acceptMs), floors.rabbitmq.msgPerSec), httpLatencyMs: summarize(sent.httpMs) },
      endToEnd: {
        stored: stored.messages,
        clients: stored.clients,
        conversations: stored.conversations,
        durationMs: round(endToEndMs),
        msgPerSec: round(perSec(config.messages, endToEndMs)),
        ratioToRawPostgres: ratio(perSec(config.messages, endToEndMs), floors.postgres.txPerSec),
        ratioToRawRabbit: ratio(perSec(config.messages, endToEndMs), floors.rabbitmq.msgPerSec),
        storedWhenSendingEnded: storedAtLastAccept,
        duplicateEvents: listener.duplicates,
      },
      latencyAcceptToListedMs: summarize(latencies),
      maxRssMb: sampler.maxRssMb,
      cpu,
      maxQueueDepth: queues,
      series: sampler.series,
    };
  } finally {
    await listener.close();
  }
}

function report(floors: { postgres: PostgresFloor; rabbitmq: RabbitFloor }, p: Awaited<ReturnType<typeof runPipeline>>): string[] {
  const pg = floors.postgres;
  const mq = floors.rabbitmq;
  const l = p.latencyAcceptToListedMs;
  const ratioToGoal = p.endToEnd.ratioToRawPostgres;
  // Whatever is not the stack, its infrastructure or the bench: someone else's build or tests.
  const noise = (p.cpu.byGroup['other'] ?? 0) + p.cpu.unattributed;
  return [
    line(`raw postgres tx (insert+update, ${pg.workers} conns)`, `${pg.txPerSec} tx/s`, `p50 ${ms(pg.txLatency.p50)}  p99 ${ms(pg.txLatency.p99)}`),
    line(`raw rabbitmq confirmed hop (window ${mq.window})`, `${mq.msgPerSec} msg/s`, `p50 ${ms(mq.hopLatency.p50)}  p99 ${ms(mq.hopLatency.p99)}`),
    line(`ingestion accepted (${config.concurrency} in flight)`, `${p.ingestion.msgPerSec} msg/s`, `${p.ingestion.ratioToRawRabbit}x raw rabbitmq`, `http p50 ${ms(p.ingestion.httpLatencyMs.p50)}  p99 ${ms(p.ingestion.httpLatencyMs.p99)}`),
    line('pipeline end-to-end stored', `${p.endToEnd.msgPerSec} msg/s`, `${p.endToEnd.ratioToRawPostgres}x raw postgres`, `${p.endToEnd.ratioToRawRabbit}x raw rabbitmq`),
    line('latency accept→listed', `p50 ${ms(l.p50)}  p95 ${ms(l.p95)}  p99 ${ms(l.p99)}  max ${ms(l.max)}`),
    line(`rss ${SERVICES.join('/')}`, `${SERVICES.map((s) => p.maxRssMb[s] ?? '?').join(' / ')} MB`),
    line('cpu % of one core during the run', cpuFigures(p.cpu)),
    line('', `exited processes/irq ${p.cpu.unattributed}  machine ${p.cpu.machine} of ${cpus().length * 100}`),
    ...(noise >= 25 ? [line('WARNING', `other work used ~${noise}% of a core during the run: figures are pessimistic`)] : []),
    line('max queue depth', p.maxQueueDepth.length ? p.maxQueueDepth.slice(0, 4).map((q) => `${q.name} ${q.messages}`).join(', ') : 'no backlog seen'),
    line('stored when sending ended', `${p.endToEnd.storedWhenSendingEnded} of ${config.messages}`),
    line('goal end-to-end ≥ 0.5x raw postgres', `${ratioToGoal}x: ${ratioToGoal >= 0.5 ? 'met' : ratioToGoal >= 0.25 ? 'resolve bar (≥ 0.25x) met, goal not' : 'not met (below 0.25x)'}`),
  ];
}

function writeResults(result: object): string {
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'latest.json');
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

async function main(): Promise<number> {
  const startedAt = new Date();
  const t0 = performance.now();
  const runPipelinePart = config.only.includes('pipeline');
  const runListPart = config.only.includes('list');
  const runPushPart = config.only.includes('push');
  const runWebhookPart = config.only.includes('webhook');
  const runSearchPart = config.only.includes('search');
  const what = [
    ...(runPipelinePart ? [`${config.messages} messages from ${config.clients} clients, ${config.concurrency} in flight${config.rate ? ` at ${config.rate} msg/s` : ''}`] : []),
    ...(runPushPart ? [`push at ${config.push.rates.join(' and ')} msg/s to ${config.push.operators} operators`] : []),
    ...(runWebhookPart ? [`whatsapp webhooks at ${config.webhook.rates.join(' and ')} req/s`] : []),
    ...(runListPart ? [`list pages on ${config.list.conversations} conversations`] : []),
    ...(runSearchPart ? [`search on ${config.search.conversations} conversations of ${config.search.messagesPerConversation} messages`] : []),
    ...(config.only.includes('analytics') ? [`tag analytics on ${analyticsBenchConfig().messages} tagged messages`] : []),
    ...(config.only.includes('ui') ? [`the operator web app with ${uiBenchConfig().conversations} conversations`] : []),
  ];
  console.log(`relaydesk bench: ${what.join('; then ')}, ${cpus().length} cores`);
  if (config.only.includes('ui')) buildUi();
  const env = await createTestEnv();
  let stack: Stack | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      await stack?.stop().catch((e: unknown) => console.error('stopping the stack:', e));
      await env.dispose().catch((e: unknown) => console.error('disposing the test env:', e));
    })());
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
  let floors: { postgres: PostgresFloor; rabbitmq: RabbitFloor } | undefined;
  try {
    const lines: string[] = [];
    let pipeline: Awaited<ReturnType<typeof runPipeline>> | undefined;
    if (runPipelinePart) {
      const postgres = await measurePostgres(env.databaseUrl, { workers: config.pgWorkers, durationMs: config.rawSeconds * 1000 });
      const rabbitmq = await measureRabbit(env.amqpUrl, { durationMs: config.rawSeconds * 1000, window: config.rabbitWindow });
      floors = { postgres, rabbitmq };
    }
    const running = await startStack(env.env, { LOG_LEVEL: 'warn' });
    stack = running;
    // BENCH_STOP=search,notification: measure without these services' work (their queues still fill).
    for (const name of (process.env['BENCH_STOP'] ?? '').split(',').filter(Boolean)) {
      const service = Object.values(running).find((s) => typeof s === 'object' && s !== null && 'name' in s && s.name === name) as { stop(): Promise<unknown> } | undefined;
      if (!service) throw new Error(`BENCH_STOP: no service ${name}`);
      await service.stop();
      console.log(`stopped for this run: ${name}`);
    }
    if (runPipelinePart && floors) {
      pipeline = await runPipeline(env, running, floors);
      lines.push(...report(floors, pipeline));
      for (const l of lines) console.log(l);
    }
    /** Runs a part when it is selected, printing its lines as they come and keeping them for the results. */
    const part = async <R>(selected: boolean, run: () => Promise<R>, reportOf: (r: R) => string[]): Promise<R | undefined> => {
      if (!selected) return undefined;
      const result = await run();
      const partLines = reportOf(result);
      for (const l of partLines) console.log(l);
      lines.push(...partLines);
      return result;
    };
    const push = await part(runPushPart, () => runPushBench(running, env, config.push, namedProcesses(running)), (r) => reportPush(r, cpuFigures));
    const webhook = await part(runWebhookPart, () => runWebhookBench(running, env, config.webhook), reportWebhook);
    // After the pipeline, so its figures are those of an empty database as before.
    const list = await part(runListPart, () => runListBench(env, running, config.list, (s) => console.log(s)), reportList);
    // Last: its data is loaded beside whatever the list part loaded, and reindexed whole.
    const search = await part(runSearchPart, () => runSearchBench(env, running, config.search, (s) => console.log(s)), reportSearch);
    const analytics = await part(config.only.includes('analytics'), () => runAnalyticsBench(env, running, analyticsBenchConfig(), (s) => console.log(s)), reportAnalytics);
    const ui = await part(config.only.includes('ui'), () => runUiBench(env, running, uiBenchConfig(), (s) => console.log(s)), reportUi);
    const file = writeResults({ ok: true, startedAt: startedAt.toISOString(), totalSeconds: round((performance.now() - t0) / 1000), machine: { cores: cpus().length, cpu: cpus()[0]?.model }, config, floors, pipeline, push, webhook, list, search, analytics, ui, lines });
    console.log(`results in ${file} (${round((performance.now() - t0) / 1000)} s)`);
    return 0;
  } catch (error) {
    const failure = error instanceof Error ? error.message : String(error);
    console.error(`BENCH FAILED: ${failure}`);
    if (!(error instanceof BenchFailure) && error instanceof Error) console.error(error.stack);
    if (stack) {
      const backlog = await queueDepths(infra.rabbitAdmin, env.name).catch(() => []);
      console.error(`queues now: ${backlog.filter((q) => q.messages > 0).map((q) => `${q.name} ${q.messages} (${q.unacked} unacked)`).join(', ') || 'all empty'}`);
    }
    for (const s of SERVICES) {
      const service = stack?.[s];
      const output = service?.output().trim();
      if (service && output) console.error(`--- ${s}${service.process.exitCode !== null ? ` (exited ${service.process.exitCode})` : ''}, last log lines (LOG_LEVEL=warn) ---\n${process.env['BENCH_DEBUG'] ? output : output.slice(-1_500)}`);
    }
    writeResults({ ok: false, failure, startedAt: startedAt.toISOString(), config, floors });
    return 1;
  } finally {
    await cleanUp();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('BENCH FAILED:', error);
    process.exit(1);
  },
);
