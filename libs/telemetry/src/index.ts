import type { NodeSDK } from '@opentelemetry/sdk-node';
import { startMetrics, stopMetrics } from './metrics';

export { startMetrics, stopMetrics, type MetricsOptions } from './metrics';

let sdk: NodeSDK | undefined;

/**
 * Starts OpenTelemetry before anything it instruments is loaded, so a service's main.ts awaits this
 * first and imports the rest afterwards. Tracing is on when OTEL_EXPORTER_OTLP_ENDPOINT is set:
 * spans of HTTP, express, pg and ioredis, AMQP spans made by libs/bus, `traceparent` in message
 * headers, trace ids in logs. Unset, nothing is instrumented (the instrumentation's context
 * tracking cost a third of a busy service's CPU for spans nobody would read) and the SDK is not
 * even loaded: its modules took longer to load than the rest of a service. Metrics (startMetrics)
 * go to the same endpoint, and to `GET /metrics` on METRICS_PORT when that is set.
 */
export async function startTelemetry(serviceName: string): Promise<void> {
  const otlp = Boolean(process.env['OTEL_EXPORTER_OTLP_ENDPOINT']);
  await startMetrics(serviceName, { prometheusPort: metricsPortOf(process.env['METRICS_PORT']), otlp });
  if (sdk || !otlp) return;
  const [{ NodeSDK }, { OTLPTraceExporter }, { HttpInstrumentation }, { ExpressInstrumentation }, { PgInstrumentation }, { IORedisInstrumentation }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-express'),
    import('@opentelemetry/instrumentation-pg'),
    import('@opentelemetry/instrumentation-ioredis'),
  ]);
  sdk = new NodeSDK({
    serviceName,
    traceExporter: new OTLPTraceExporter(),
    metricReaders: [], // startMetrics registered them
    instrumentations: [
      new HttpInstrumentation(),
      new ExpressInstrumentation(),
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
}

/**
 * A service's main: telemetry first, then `load` imports the service and answers its start. A
 * service that cannot start (a bad setting, a database out of reach) says so in one JSON log line,
 * as its other lines are written, and exits 1.
 */
export function runService(serviceName: string, load: () => Promise<() => Promise<unknown>>): void {
  startTelemetry(serviceName)
    .then(load)
    .then((start) => start())
    .catch((error: unknown) => {
      const err = error instanceof Error ? { type: error.name, message: error.message, stack: error.stack } : { message: String(error) };
      process.stderr.write(`${JSON.stringify({ level: 60, time: Date.now(), service: serviceName, msg: 'could not start', err })}\n`);
      process.exit(1);
    });
}

/** Sends the spans and metrics still buffered; a stopping service calls it last. */
export async function stopTelemetry(): Promise<void> {
  await sdk?.shutdown();
  sdk = undefined;
  await stopMetrics();
}

/** METRICS_PORT: where `GET /metrics` answers (Prometheus text format); unset, there is none. */
function metricsPortOf(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`METRICS_PORT must be a port number (1–65535), not "${value}"`);
  return port;
}
