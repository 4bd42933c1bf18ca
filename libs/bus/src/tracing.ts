import { ROOT_CONTEXT, SpanKind, context, propagation, trace, type Context, type Link } from '@opentelemetry/api';

const tracer = trace.getTracer('@relaydesk/bus');

/** W3C `traceparent` (and `tracestate`) of the active span, for message headers. */
export function traceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

export function contextFromHeaders(headers: Record<string, unknown> | undefined): Context {
  const carrier: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (typeof v === 'string') carrier[k] = v;
  return propagation.extract(ROOT_CONTEXT, carrier);
}

/** Runs a batch handler in a consumer span whose parent is the first message's trace, linked to all. */
export async function inConsumerSpan<R>(queue: string, contexts: Context[], run: () => Promise<R>): Promise<R> {
  const links: Link[] = contexts
    .map((c) => trace.getSpanContext(c))
    .filter((s) => s !== undefined)
    .map((s) => ({ context: s }));
  const parent = contexts[0] ?? ROOT_CONTEXT;
  const span = tracer.startSpan(`${queue} process`, { kind: SpanKind.CONSUMER, links, attributes: { 'messaging.system': 'rabbitmq', 'messaging.destination.name': queue, 'messaging.batch.message_count': contexts.length } }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), run);
  } catch (error) {
    span.recordException(error as Error);
    throw error;
  } finally {
    span.end();
  }
}

export async function inProducerSpan<R>(name: string, run: () => Promise<R>): Promise<R> {
  return tracer.startActiveSpan(`${name} publish`, { kind: SpanKind.PRODUCER }, async (span) => {
    try {
      return await run();
    } finally {
      span.end();
    }
  });
}
