import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createDataSource, openDatabase } from '@relaydesk/db';
import { AppError, createLogger } from '@relaydesk/service-kit';
import { startMetrics, stopMetrics } from '@relaydesk/telemetry';
import { createTestEnv, freePort, metricValue, scrapeMetrics, waitFor, type TestEnv } from '@relaydesk/testing';
import { Bus, Consumer, OutboxRelay, emitInTransaction, makeEnvelope, type AnyMessage } from '../src';

const logger = createLogger('bus-metrics-test', process.env['TEST_LOG_LEVEL'] ?? 'silent');

const configured = (name: string): AnyMessage =>
  makeEnvelope('channel.configured', { channelId: randomUUID(), type: 'webchat', name, groupId: randomUUID() }, { source: 'test', partitionKey: name });

/** What a consumer and an outbox relay report (ARCHITECTURE.md "Observability"), read as Prometheus would. */
describe('bus metrics', () => {
  let env: TestEnv;
  let bus: Bus;
  let metricsUrl: string;

  beforeAll(async () => {
    // Before any instrument is made: the API hands no-ops to instruments made earlier.
    metricsUrl = `http://127.0.0.1:${await startMetrics('bus-metrics-test', { prometheusPort: await freePort(), otlp: false })}/metrics`;
    env = await createTestEnv();
    bus = await Bus.connect({ url: env.amqpUrl, logger });
  });
  afterAll(async () => {
    await bus.close();
    await env.dispose();
    await stopMetrics();
  });

  it('a consumer counts each message once by how it was settled: handled, retried later or dead-lettered', async () => {
    const failures = new Map<string, number>();
    const handled: string[] = [];
    const consumer = await new Consumer(bus, {
      name: 'metered',
      bindings: [{ exchange: 'events', pattern: 'channel.configured' }],
      retryDelaysMs: [100],
      inPlaceRetryDelaysMs: [10],
      handle: async (batch) => {
        for (const m of batch) {
          const name = (m.payload as { name: string }).name;
          const failed = failures.get(name) ?? 0;
          if (name === 'refused') throw new AppError('validation_failed', 'refused for good');
          // "flaky" fails three times (the batch, then two tries alone), so it waits in the delay queue once.
          if (name === 'flaky' && failed < 3) {
            failures.set(name, failed + 1);
            throw new Error('flaky');
          }
          handled.push(name);
        }
      },
    }).start();
    try {
      const labels = { messaging_consumer_group_name: 'metered' };
      const outcome = async (relaydesk_outcome: string) => metricValue(await scrapeMetrics(metricsUrl), 'messaging_client_consumed_messages_total', { ...labels, relaydesk_outcome }) ?? 0;
      await bus.publish(['fine-1', 'fine-2', 'fine-3'].map(configured));
      await waitFor('3 handled', async () => (await outcome('handled')) === 3 || undefined);
      await bus.publish([configured('flaky'), configured('refused')]);
      await waitFor('flaky handled after its delay', () => handled.includes('flaky') || undefined);

      await waitFor('the refused one dead-lettered', async () => (await outcome('dead_lettered')) === 1 || undefined);
      expect(await outcome('handled')).toBe(4);
      expect(await outcome('retried')).toBe(1);
      const samples = await scrapeMetrics(metricsUrl);
      expect(metricValue(samples, 'relaydesk_messaging_dead_letters', labels)).toBe(1);
      // Each arrival is timed, the retried one twice.
      expect(metricValue(samples, 'relaydesk_messaging_lag_count', labels)).toBe(6);
      expect(metricValue(samples, 'messaging_process_duration_count', labels)).toBeGreaterThanOrEqual(3);
    } finally {
      await consumer.stop();
    }
  });

  it('the outbox gauges count rows no relay takes and the age of the oldest, and fall back once one relays them', async () => {
    const db = await openDatabase(createDataSource({ url: env.databaseUrl, schema: 'bus_metrics', migrations: [] }));
    const rival = new Client({ connectionString: env.databaseUrl });
    await rival.connect();
    // Another replica holds the relay's lock and relays nothing, as a stuck one would.
    await rival.query(`SELECT pg_advisory_lock(hashtext('outbox-relay:bus_metrics'))`);
    await db.transaction((tx) => emitInTransaction(tx, [configured('stuck-1'), configured('stuck-2')]));
    await db.query(`UPDATE outbox SET created_at = now() - interval '90 seconds'`);
    const relay = new OutboxRelay(db, bus, logger, { idlePollMs: 100 }).start();
    try {
      const gauges = async () => {
        const samples = await scrapeMetrics(metricsUrl);
        return { rows: metricValue(samples, 'relaydesk_outbox_rows'), age: metricValue(samples, 'relaydesk_outbox_oldest_age') };
      };
      const stuck = await gauges();
      expect(stuck.rows).toBe(2);
      expect(stuck.age).toBeGreaterThanOrEqual(90);

      await rival.end();
      await waitFor('the outbox empty', async () => JSON.stringify(await gauges()) === JSON.stringify({ rows: 0, age: 0 }) || undefined);
    } finally {
      await relay.stop();
      await rival.end().catch(() => undefined);
      await db.destroy();
    }
  });
});
