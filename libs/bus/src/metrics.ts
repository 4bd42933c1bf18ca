import { metrics } from '@opentelemetry/api';
import { within } from './within';

const seconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

function createInstruments() {
  const meter = metrics.getMeter('@relaydesk/bus');
  return {
    meter,
    lag: meter.createHistogram('relaydesk.messaging.lag', {
      unit: 's',
      description: 'From when an event was made (its occurredAt) to when its consumer takes it: outbox, broker queue and retries',
      advice: { explicitBucketBoundaries: seconds },
    }),
    duration: meter.createHistogram('messaging.process.duration', {
      unit: 's',
      description: 'Time a consumer spends handling one batch',
      advice: { explicitBucketBoundaries: seconds },
    }),
    settled: meter.createCounter('messaging.client.consumed.messages', {
      description: 'Messages a consumer settled, by outcome: handled, retried (later, from a delay queue) or dead_lettered',
    }),
    deadLetters: meter.createObservableGauge('relaydesk.messaging.dead_letters', {
      description: 'Messages waiting in a consumer’s dead-letter queue (npm run dlq:replay moves them back)',
    }),
    outboxRows: meter.createObservableGauge('relaydesk.outbox.rows', {
      description: 'Rows in the service’s outbox, published or not: the relay deletes what the broker confirmed with its next read',
    }),
    outboxAge: meter.createObservableGauge('relaydesk.outbox.oldest_age', {
      unit: 's',
      description: 'Age of the oldest outbox row (0 when empty): it grows while the relay or the broker is stuck',
    }),
  };
}

let instruments: ReturnType<typeof createInstruments> | undefined;

/**
 * The bus's instruments, made on first use: after startTelemetry registered the meter provider (the
 * API gives no-ops to instruments made before), and once per process for every consumer and relay.
 */
export const busMetrics = (): ReturnType<typeof createInstruments> => (instruments ??= createInstruments());

/** What `work` answers within `ms`, else undefined (also when it fails): a gauge skips a reading rather than hold up a scrape. */
export const readingWithin = <T>(ms: number, work: () => Promise<T>): Promise<T | undefined> =>
  within(ms, work(), () => new Error(`no reading within ${ms} ms`)).catch(() => undefined);
