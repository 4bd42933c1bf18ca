import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';

let sdk: NodeSDK | undefined;

/**
 * Starts OpenTelemetry before anything it instruments is loaded, so a service's main.ts calls this
 * first and imports the rest afterwards. Spans are exported over OTLP only when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set; without it, trace ids still flow through logs and the bus.
 * AMQP spans are made by libs/bus itself, which also carries `traceparent` in message headers.
 */
export function startTelemetry(serviceName: string): void {
  if (sdk) return;
  const exporting = Boolean(process.env['OTEL_EXPORTER_OTLP_ENDPOINT']);
  if (!exporting) {
    for (const signal of ['TRACES', 'METRICS', 'LOGS']) process.env[`OTEL_${signal}_EXPORTER`] ??= 'none';
  }
  sdk = new NodeSDK({
    serviceName,
    ...(exporting ? { traceExporter: new OTLPTraceExporter() } : {}),
    instrumentations: [
      new HttpInstrumentation(),
      new ExpressInstrumentation(),
      new PgInstrumentation(),
      new IORedisInstrumentation(),
    ],
  });
  sdk.start();
}

export async function stopTelemetry(): Promise<void> {
  await sdk?.shutdown();
  sdk = undefined;
}
