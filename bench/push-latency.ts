import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import amqp from 'amqplib';
import { Pool } from 'pg';
import { WebSocket } from 'ws';
import { HttpClient, Workspace, type Stack, type TestEnv } from '@relaydesk/testing';
import { line, ms, ratio, summarize, type Summary } from './stats';

export type PushConfig = { operators: number; rate: number; seconds: number; clients: number };

export type PushResult = {
  operators: number;
  rate: number;
  sent: number;
  /** Client message accepted by ingestion → `message.created` on the WebSocket of one operator of the group. */
  firstOperator: Summary;
  /** The same, over every connected operator's socket. */
  everyOperator: Summary;
  missing: number;
  floor: Summary;
  p99VsFloor: number;
};

/**
 * Inbound → WebSocket push latency at a steady rate with many operators connected, beside the floor
 * of what any such path needs: one confirmed RabbitMQ hop and one PostgreSQL transaction.
 */
export async function runPushBench(stack: Stack, env: TestEnv, config: PushConfig): Promise<PushResult> {
  const workspace = await Workspace.open(stack);
  const group = await workspace.group('Push bench');
  const channel = await workspace.apiChannel(group);
  const operators = await Promise.all(Array.from({ length: config.operators }, (_, i) => operator(workspace, stack, group, i)));

  const total = config.rate * config.seconds;
  const sentAt = new Float64Array(total).fill(NaN);
  const firstSeen = new Float64Array(total).fill(NaN);
  const latencies: number[] = [];
  const sockets = await Promise.all(
    operators.map(async (operator, index) => {
      const ws = new WebSocket(`${stack.gateway.url.replace(/^http/, 'ws')}/api/v1/stream?token=${operator.api.token}`);
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.on('message', (data) => {
        const now = performance.now();
        // 25,000 frames a second share this process with the sender: a regex instead of JSON.parse keeps it light.
        const n = Number(/^\{"type":"message\.created".*"text":"push (\d+)"/.exec((data as Buffer).toString('utf8'))?.[1] ?? NaN);
        if (!(n >= 0 && n < total)) return;
        latencies.push(now - sentAt[n]!);
        if (index === 0) firstSeen[n] = now - sentAt[n]!;
      });
      return ws;
    }),
  );

  const started = performance.now();
  const inFlight: Promise<unknown>[] = [];
  let failed = 0;
  let lastError = '';
  for (let n = 0; n < total; n++) {
    const due = started + (n * 1000) / config.rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    sentAt[n] = performance.now();
    inFlight.push(
      channel.send(`push-client-${n % config.clients}`, `push ${n}`).catch((error: unknown) => {
        failed++;
        lastError = String(error);
      }),
    );
  }
  await Promise.all(inFlight);
  if (failed > 0) console.warn(`push bench: ${failed} sends failed, e.g. ${lastError}`);
  const deadline = performance.now() + 30_000;
  while (latencies.length < total * config.operators && performance.now() < deadline) await sleep(100);
  for (const ws of sockets) ws.close();

  const first = [...firstSeen].filter((v) => !Number.isNaN(v));
  const floor = await measureFloor(env, config.rate, config.seconds);
  const firstOperator = summarize(first);
  return {
    operators: config.operators,
    rate: config.rate,
    sent: total,
    firstOperator,
    everyOperator: summarize(latencies),
    missing: total - first.length,
    floor,
    p99VsFloor: ratio(firstOperator.p99, floor.p99),
  };
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

export function reportPush(r: PushResult): string[] {
  return [
    line(`push to WebSocket, ${r.rate} msg/s, ${r.operators} operators`, `p50 ${ms(r.firstOperator.p50)}`, `p99 ${ms(r.firstOperator.p99)}`, `(every socket p99 ${ms(r.everyOperator.p99)}, missing ${r.missing})`),
    line('  floor: confirmed hop + PG transaction', `p50 ${ms(r.floor.p50)}`, `p99 ${ms(r.floor.p99)}`, `push p99 = ${r.p99VsFloor}x the floor (goal ≤ 5x)`),
  ];
}
