import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import amqp from 'amqplib';
import { Pool } from 'pg';
import { WebSocket } from 'ws';
import { HttpClient, Workspace, type Stack, type TestEnv } from '@relaydesk/testing';
import { atRate, post } from './paced-requests';
import { cpuBetween, cpuSnapshot, type CpuUse } from './sampler';
import { line, ms, ratio, summarize, type Summary } from './stats';

export type PushConfig = { operators: number; rates: number[]; seconds: number; clients: number };

export type PushResult = {
  operators: number;
  rate: number;
  sent: number;
  /** Client message due to be sent → `message.created` on the WebSocket of one operator of the group. */
  firstOperator: Summary;
  /** The same, over every connected operator's socket. */
  everyOperator: Summary;
  /** Due → ingestion's 200: the part of the push latency spent before the bus. */
  accept: Summary;
  /** Ingestion's 200 → the first socket: routing, storing, Redis, the gateway. */
  afterAccept: Summary;
  failed: number;
  missing: number;
  floor: Summary;
  p99VsFloor: number;
  /** From the first send until every socket has its last frame (or 30 s more), in % of one core. */
  cpu: CpuUse;
};

/** One rate's sends, matched to the frames that come back by the number in their text. */
type Round = { index: number; total: number; acceptMs: Float64Array; dueAt: Float64Array; firstSeen: Float64Array; latencies: number[] };

/**
 * Inbound → WebSocket push latency at steady rates with many operators connected, beside the floor
 * of what any such path needs (one confirmed RabbitMQ hop and one PostgreSQL transaction) at each rate.
 */
export async function runPushBench(stack: Stack, env: TestEnv, config: PushConfig, processes: Map<number, string>): Promise<PushResult[]> {
  const workspace = await Workspace.open(stack);
  const group = await workspace.group('Push bench');
  const apiKey = `push-bench-key-${env.name}`;
  const channel = await workspace.apiChannel(group, apiKey);
  const operators = await Promise.all(Array.from({ length: config.operators }, (_, i) => operator(workspace, stack, group, i)));

  let round: Round | undefined;
  const sockets = await Promise.all(
    operators.map(async (operator, socket) => {
      const ws = new WebSocket(`${stack.gateway.url.replace(/^http/, 'ws')}/api/v1/stream?token=${operator.api.token}`);
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.on('message', (data) => {
        const now = performance.now();
        // Tens of thousands of frames a second share this process with the sender: a regex, not JSON.parse.
        const match = /^\{"type":"message\.created".*"text":"push (\d+):(\d+)"/.exec((data as Buffer).toString('utf8'));
        const n = Number(match?.[2]);
        if (!round || Number(match?.[1]) !== round.index || !(n >= 0 && n < round.total)) return;
        round.latencies.push(now - round.dueAt[n]!);
        if (socket === 0) round.firstSeen[n] = now - round.dueAt[n]!;
      });
      return ws;
    }),
  );

  const url = new URL(`${stack.ingestion.url}/ingest/v1/messages`);
  const results: PushResult[] = [];
  try {
    for (const [index, rate] of config.rates.entries()) {
      const total = rate * config.seconds;
      const current: Round = { index, total, acceptMs: new Float64Array(total).fill(NaN), dueAt: new Float64Array(total), firstSeen: new Float64Array(total).fill(NaN), latencies: [] };
      round = current;
      const cpuBefore = cpuSnapshot(processes);
      const sent = await atRate({ rate, seconds: config.seconds }, async (n, due) => {
        current.dueAt[n] = due;
        const client = `push-client-${n % config.clients}`;
        const body = { channel: 'api', channelId: channel.id, externalClientId: client, clientName: client, externalMessageId: `push-${index}-${n}`, sentAt: new Date().toISOString(), text: `push ${index}:${n}` };
        const status = await post(url, Buffer.from(JSON.stringify(body)), { authorization: `Bearer ${apiKey}` });
        if (status === 200) current.acceptMs[n] = performance.now() - due;
        return status;
      });
      const deadline = performance.now() + 30_000;
      while (current.latencies.length < (total - sent.failed) * config.operators && performance.now() < deadline) await sleep(100);
      const cpu = cpuBetween(cpuBefore, cpuSnapshot(processes));
      round = undefined;

      const first = [...current.firstSeen].filter((v) => !Number.isNaN(v));
      const afterAccept = [...current.firstSeen].map((seen, n) => seen - current.acceptMs[n]!).filter((v) => !Number.isNaN(v));
      const floor = await measureFloor(env, rate, config.seconds);
      const firstOperator = summarize(first);
      results.push({
        operators: config.operators,
        rate,
        sent: total,
        firstOperator,
        everyOperator: summarize(current.latencies),
        accept: sent.latency,
        afterAccept: summarize(afterAccept),
        failed: sent.failed,
        missing: total - first.length,
        floor,
        p99VsFloor: ratio(firstOperator.p99, floor.p99),
        cpu,
      });
      await sleep(5_000); // let the pipeline drain what this rate left, so the next starts from quiet
    }
  } finally {
    for (const ws of sockets) ws.close();
  }
  return results;
}

/** Logs in from addresses of its own: the gateway limits logins per address (the test stack trusts loopback's X-Forwarded-For). */
async function operator(workspace: Workspace, stack: Stack, group: string, i: number): Promise<{ api: { token: string | undefined } }> {
  const email = `push${i}@relaydesk.test`;
  const password = `push-password-${i}`;
  await workspace.admin.post('/api/v1/operators', { name: `Push ${i}`, email, password, role: 'operator', groupIds: [group] });
  const login = await new HttpClient(stack.gateway.url).with({ 'x-forwarded-for': `10.77.${i >> 8}.${i & 255}` }).post<{ accessToken: string }>('/api/v1/auth/login', { email, password });
  if (login.status !== 200) throw new Error(`login ${email}: ${login.status}`);
  return { api: { token: login.body.accessToken } };
}

/** One confirmed publish, its delivery to a consumer, and one PostgreSQL transaction, at the same rate. */
async function measureFloor(env: TestEnv, rate: number, seconds: number): Promise<Summary> {
  const connection = await amqp.connect(env.amqpUrl);
  // A pool, as the services have: each message's transaction waits for a connection, not for the others.
  const db = new Pool({ connectionString: env.databaseUrl, max: 8 });
  try {
    await db.query('CREATE TABLE IF NOT EXISTS bench_push_floor (n int PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())');
    const publisher = await connection.createConfirmChannel();
    const consumer = await connection.createChannel();
    const { queue } = await consumer.assertQueue('', { exclusive: true, autoDelete: true });
    const total = rate * seconds;
    const sentAt = new Float64Array(total);
    const latencies: number[] = [];
    await consumer.consume(
      queue,
      (d) => {
        if (!d) return;
        const n = Number(d.content.toString());
        void (async () => {
          const tx = await db.connect();
          try {
            await tx.query('BEGIN');
            await tx.query('INSERT INTO bench_push_floor (n) VALUES ($1) ON CONFLICT DO NOTHING', [n]);
            await tx.query('COMMIT');
          } finally {
            tx.release();
          }
          latencies.push(performance.now() - sentAt[n]!);
        })();
      },
      { noAck: true },
    );
    const started = performance.now();
    const confirms: Promise<void>[] = [];
    for (let n = 0; n < total; n++) {
      const wait = started + (n * 1000) / rate - performance.now();
      if (wait > 1) await sleep(wait);
      sentAt[n] = performance.now();
      confirms.push(new Promise((resolve, reject) => publisher.sendToQueue(queue, Buffer.from(String(n)), {}, (error) => (error ? reject(error as Error) : resolve()))));
    }
    await Promise.all(confirms);
    const deadline = performance.now() + 10_000;
    while (latencies.length < total && performance.now() < deadline) await sleep(50);
    return summarize(latencies);
  } finally {
    await connection.close().catch(() => undefined);
    await db.end();
  }
}

export function reportPush(results: PushResult[], cpuLine: (cpu: CpuUse) => string): string[] {
  return results.flatMap((r) => [
    line(`push to WebSocket, ${r.rate} msg/s, ${r.operators} operators`, `p50 ${ms(r.firstOperator.p50)}`, `p99 ${ms(r.firstOperator.p99)}`, `(every socket p99 ${ms(r.everyOperator.p99)}, failed ${r.failed}, missing ${r.missing})`),
    line('  of which send → accepted by ingestion', `p50 ${ms(r.accept.p50)}`, `p99 ${ms(r.accept.p99)}`),
    line('  and accepted → first socket', `p50 ${ms(r.afterAccept.p50)}`, `p99 ${ms(r.afterAccept.p99)}`),
    line('  floor: confirmed hop + PG transaction', `p50 ${ms(r.floor.p50)}`, `p99 ${ms(r.floor.p99)}`, `push p99 = ${r.p99VsFloor}x the floor (goal ≤ 5x)`),
    line('  cpu % of one core while pushing', cpuLine(r.cpu)),
  ]);
}
