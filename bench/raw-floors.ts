import { performance } from 'node:perf_hooks';
import amqp, { type ConsumeMessage } from 'amqplib';
import { Client } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { perSec, round, summarize, type Summary } from './stats';

/**
 * The raw rates of this machine's PostgreSQL and RabbitMQ, measured with the same clients the
 * services use (pg, amqplib) and none of their code, so the pipeline can be reported as a ratio.
 */

export type PostgresFloor = { workers: number; durationMs: number; transactions: number; txPerSec: number; txLatency: Summary };

const SCHEMA = 'bench_raw';

/**
 * One transaction = insert a message row + update its conversation row, the core of what the
 * conversation service does per client message, run by `workers` connections for `durationMs`.
 */
export async function measurePostgres(databaseUrl: string, { workers = 8, durationMs = 8_000, conversations = 2_000 } = {}): Promise<PostgresFloor> {
  const admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  const clients: Client[] = [];
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await admin.query(`CREATE SCHEMA ${SCHEMA}`);
    await admin.query(`
      CREATE TABLE ${SCHEMA}.conversation (
        id uuid PRIMARY KEY,
        last_message_at timestamptz NOT NULL,
        last_message_text text,
        unread_count integer NOT NULL DEFAULT 0
      )`);
    await admin.query(`
      CREATE TABLE ${SCHEMA}.message (
        id uuid PRIMARY KEY,
        conversation_id uuid NOT NULL REFERENCES ${SCHEMA}.conversation (id),
        text text,
        created_at timestamptz NOT NULL
      )`);
    await admin.query(`CREATE INDEX ON ${SCHEMA}.message (conversation_id, created_at DESC, id DESC)`);
    const ids = Array.from({ length: conversations }, () => uuidv7());
    await admin.query(`INSERT INTO ${SCHEMA}.conversation (id, last_message_at) SELECT unnest($1::uuid[]), now()`, [ids]);

    for (let i = 0; i < workers; i++) {
      const client = new Client({ connectionString: databaseUrl });
      await client.connect();
      clients.push(client);
    }
    const latencies: number[] = [];
    let transactions = 0;
    const started = performance.now();
    const deadline = started + durationMs;
    await Promise.all(
      clients.map(async (client, w) => {
        for (let n = 0; performance.now() < deadline; n++) {
          const conversationId = ids[(n * workers + w) % ids.length]!;
          const text = `raw ${w}-${n}`;
          const t0 = performance.now();
          await client.query('BEGIN');
          await client.query(`INSERT INTO ${SCHEMA}.message (id, conversation_id, text, created_at) VALUES ($1, $2, $3, now())`, [uuidv7(), conversationId, text]);
          await client.query(`UPDATE ${SCHEMA}.conversation SET last_message_at = now(), last_message_text = $2, unread_count = unread_count + 1 WHERE id = $1`, [conversationId, text]);
          await client.query('COMMIT');
          latencies.push(performance.now() - t0);
          transactions++;
        }
      }),
    );
    const elapsed = performance.now() - started;
    return { workers, durationMs: round(elapsed), transactions, txPerSec: round(perSec(transactions, elapsed)), txLatency: summarize(latencies) };
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => undefined);
    await admin.end();
  }
}

export type RabbitFloor = { window: number; prefetch: number; durationMs: number; messages: number; msgPerSec: number; hopLatency: Summary };

const QUEUE = 'bench.raw.hop';

/**
 * One confirmed hop: persistent messages published with confirms (at most `window` unconfirmed)
 * to a durable quorum queue, consumed on another connection with manual acks, for `durationMs`.
 * The hop latency runs from publish to delivery; the rate counts consumed messages.
 */
export async function measureRabbit(amqpUrl: string, { durationMs = 8_000, window = 64, prefetch = 200, bodyBytes = 700 } = {}): Promise<RabbitFloor> {
  const producer = await amqp.connect(amqpUrl);
  const consumer = await amqp.connect(amqpUrl);
  try {
    const pub = await producer.createConfirmChannel();
    await pub.assertQueue(QUEUE, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await pub.purgeQueue(QUEUE);
    const sub = await consumer.createChannel();
    await sub.prefetch(prefetch);

    const sentAt: number[] = [];
    const latencies: number[] = [];
    let consumed = 0;
    let lastConsumed = 0;
    let drained: () => void = () => undefined;
    let published = 0;
    let publishing = true;
    await sub.consume(QUEUE, (d: ConsumeMessage | null) => {
      if (!d) return;
      const now = performance.now();
      latencies.push(now - sentAt[Number(d.properties.messageId)]!);
      consumed++;
      lastConsumed = now;
      sub.ack(d);
      if (!publishing && consumed === published) drained();
    });

    const filler = 'x'.repeat(bodyBytes);
    const started = performance.now();
    const deadline = started + durationMs;
    await new Promise<void>((resolve, reject) => {
      let inFlight = 0;
      const next = (): void => {
        while (inFlight < window && performance.now() < deadline) {
          const seq = published++;
          inFlight++;
          sentAt[seq] = performance.now();
          pub.publish('', QUEUE, Buffer.from(`{"seq":${seq},"body":"${filler}"}`), { persistent: true, messageId: String(seq), contentType: 'application/json' }, (error) => {
            inFlight--;
            if (error) reject(new Error(`raw publish ${seq} not confirmed: ${String(error)}`));
            else next();
          });
        }
        if (inFlight === 0) resolve();
      };
      next();
    });
    publishing = false;
    if (consumed < published) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`raw rabbitmq hop: ${published - consumed} of ${published} messages never arrived`)), 30_000);
        drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const elapsed = lastConsumed - started;
    await sub.close();
    await pub.deleteQueue(QUEUE);
    await pub.close();
    return { window, prefetch, durationMs: round(elapsed), messages: consumed, msgPerSec: round(perSec(consumed, elapsed)), hopLatency: summarize(latencies) };
  } finally {
    await producer.close().catch(() => undefined);
    await consumer.close().catch(() => undefined);
  }
}
