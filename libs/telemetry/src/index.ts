import type { NodeSDK } from '@opentelemetry/sdk-node';

let sdk: NodeSDK | undefined;

/**
 * Starts OpenTelemetry before anything it instruments is loaded, so a service's main.ts awaits this
 * first and imports the rest afterwards. Tracing is on when OTEL_EXPORTER_OTLP_ENDPOINT is set:
 * spans of HTTP, express, pg and ioredis, AMQP spans made by libs/bus, `traceparent` in message
 * headers, trace ids in logs. Unset, nothing is instrumented (the instrumentation's context
 * tracking cost a third of a busy service's CPU for spans nobody would read) and the SDK is not
 * even loaded: its modules took longer to load than the rest of a service.
 */
export async function startTelemetry(serviceName: string): Promise<void> {
  if (sdk || !process.env['OTEL_EXPORTER_OTLP_ENDPOINT']) return;
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
    instrumentations: [
      new HttpInstrumentation(),
      new ExpressInstrumentation(),
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
}

/** Sends the spans still buffered; a stopping service calls it last. */
export async function stopTelemetry(): Promise<void> {
  await sdk?.shutdown();
  sdk = undefined;
}
