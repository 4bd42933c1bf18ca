import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';

let sdk: NodeSDK | undefined;

/**
 * Starts OpenTelemetry before anything it instruments is loaded, so a service's main.ts calls this
 * first and imports the rest afterwards. Tracing is on when OTEL_EXPORTER_OTLP_ENDPOINT is set:
 * spans of HTTP, express, pg and ioredis, AMQP spans made by libs/bus, `traceparent` in message
 * headers, trace ids in logs. Unset, nothing is instrumented: the instrumentation's context
 * tracking cost a third of a busy service's CPU for spans nobody would read.
 */
export function startTelemetry(serviceName: string): void {
  if (sdk || !process.env['OTEL_EXPORTER_OTLP_ENDPOINT']) return;
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

export async function stopTelemetry(): Promise<void> {
  await sdk?.shutdown();
  sdk = undefined;
}
