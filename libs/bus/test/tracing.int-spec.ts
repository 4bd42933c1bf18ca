import { randomUUID } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { createLogger } from '@relaydesk/service-kit';
import { createTestEnv, waitFor, type TestEnv } from '@relaydesk/testing';
import { Bus, Consumer, makeEnvelope } from '../src';

describe('trace propagation', () => {
  let env: TestEnv;
  let bus: Bus;
  const provider = new NodeTracerProvider();

  beforeAll(async () => {
    provider.register(); // W3C trace context propagator and an async-hooks context manager, as NodeSDK sets up
    env = await createTestEnv();
    bus = await Bus.connect({ url: env.amqpUrl, logger: createLogger('trace-test', 'silent') });
  });
  afterAll(async () => {
    await bus.close();
    await env.dispose();
    await provider.shutdown();
  });

  it('carries W3C traceparent in message headers, so the consumer continues the publisher’s trace', async () => {
    const seen: { traceId?: string; parentTrace?: string }[] = [];
    const consumer = await new Consumer(bus, {
      name: 'trace',
      bindings: [{ exchange: 'events', pattern: 'channel.configured' }],
      handle: async (batch) => {
        seen.push({ traceId: trace.getActiveSpan()?.spanContext().traceId, parentTrace: batch[0]?.traceparent });
      },
    }).start();
    const traceId = await trace.getTracer('test').startActiveSpan('webhook', async (span) => {
      await bus.publish([makeEnvelope('channel.configured', { channelId: randomUUID(), type: 'webchat', name: 'x', groupId: randomUUID() }, { source: 'test', partitionKey: 'k' })]);
      span.end();
      return span.spanContext().traceId;
    });
    const [handled] = await waitFor('handled', () => (seen.length > 0 ? seen : undefined));
    expect(handled!.traceId).toBe(traceId);
    expect(handled!.parentTrace).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-0[01]$`));
    await consumer.stop();
  });
});
