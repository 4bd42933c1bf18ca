import { randomUUID } from 'node:crypto';
import { Bus } from '@relaydesk/bus';
import { createLogger } from '@relaydesk/service-kit';
import { createTestEnv, metricValue, scrapeMetrics, startService, startStack, waitFor, Workspace, type HttpClient, type RunningService, type Stack, type TestEnv } from '@relaydesk/testing';

const metricsOf = (service: RunningService) => scrapeMetrics(service.metricsUrl!);

/** Observability (ARCHITECTURE.md): every service's GET /metrics on METRICS_PORT, fed by real requests and messages. */
describe('metrics', () => {
  let env: TestEnv;
  let stack: Stack;
  let admin: HttpClient;
  let send: (client: string, text: string) => Promise<unknown>;

  beforeAll(async () => {
    env = await createTestEnv();
    stack = await startStack(env.env, {}, { metrics: true });
    const workspace = await Workspace.open(stack);
    admin = workspace.admin;
    ({ send } = await workspace.apiChannel(await workspace.group('Sales')));
  });
  afterAll(async () => {
    await stack?.stop();
    await env?.dispose();
  });

  it('every service serves Prometheus metrics under its own name', async () => {
    const names = { gateway: 'gateway', ingestion: 'ingestion', routing: 'routing', conversation: 'conversation', search: 'search', notification: 'notification', analytics: 'tagging-analytics' } as const;
    for (const [key, serviceName] of Object.entries(names)) {
      const samples = await metricsOf(stack[key as keyof typeof names]);
      expect(samples.find((s) => s.name === 'target_info')?.labels['service_name']).toBe(serviceName);
    }
    const elsewhere = await fetch(stack.gateway.metricsUrl!.replace('/metrics', '/other'));
    expect(elsewhere.status).toBe(404);
  });

  it('request durations are counted by route template and status, in the gateway and in the service behind it', async () => {
    const count = async (service: RunningService, labels: Record<string, string>) => metricValue(await metricsOf(service), 'http_server_request_duration_count', labels) ?? 0;
    const ok = { http_request_method: 'GET', http_route: '/conversations', http_response_status_code: '200' };
    const refused = { ...ok, http_response_status_code: '400' };
    const unknown = { http_request_method: 'GET', http_route: '/conversations/:id', http_response_status_code: '404' };
    const before = { ok: await count(stack.gateway, ok), refused: await count(stack.gateway, refused), unknown: await count(stack.gateway, unknown), behind: await count(stack.conversation, ok) };

    for (let i = 0; i < 3; i++) expect((await admin.get('/api/v1/conversations?tab=all')).status).toBe(200);
    expect((await admin.get('/api/v1/conversations?tab=nope')).status).toBe(400);
    expect((await admin.get(`/api/v1/conversations/${randomUUID()}`)).status).toBe(404);

    expect(await count(stack.gateway, ok)).toBe(before.ok + 3);
    expect(await count(stack.gateway, refused)).toBe(before.refused + 1);
    expect(await count(stack.gateway, unknown)).toBe(before.unknown + 1);
    expect(await count(stack.conversation, ok)).toBe(before.behind + 3);
    // Probes are not requests anyone made.
    await fetch(`${stack.gateway.url}/ready`);
    expect((await metricsOf(stack.gateway)).filter((s) => s.labels['http_route'] === '/ready')).toEqual([]);
  });

  it('consumers count what they handle and how late it reached them; a poisoned message shows in the dead-letter gauge', async () => {
    const inbound = { messaging_consumer_group_name: 'conversation.inbound' };
    const handled = async () => metricValue(await metricsOf(stack.conversation), 'messaging_client_consumed_messages_total', { ...inbound, relaydesk_outcome: 'handled' }) ?? 0;
    const before = await handled();
    for (let i = 0; i < 5; i++) await send(`metered-${i}`, `hello ${i}`);
    await waitFor('5 more messages handled', async () => (await handled()) >= before + 5 || undefined, { timeoutMs: 20_000, intervalMs: 200 });

    const samples = await metricsOf(stack.conversation);
    expect(metricValue(samples, 'relaydesk_messaging_lag_count', inbound)).toBeGreaterThanOrEqual(5);
    expect(metricValue(samples, 'messaging_process_duration_count', inbound)).toBeGreaterThanOrEqual(1);
    expect(metricValue(await metricsOf(stack.routing), 'messaging_client_consumed_messages_total', { messaging_consumer_group_name: 'routing.inbound', relaydesk_outcome: 'handled' })).toBeGreaterThanOrEqual(5);
    expect(metricValue(samples, 'relaydesk_messaging_dead_letters', inbound)).toBe(0);

    const bus = await Bus.connect({ url: env.amqpUrl, logger: createLogger('metrics-test', 'silent') });
    try {
      await bus.publishRaw([{ exchange: 'events', routingKey: 'message.routed', body: Buffer.from('{"not": "an envelope"'), headers: { 'partition-key': 'poison' }, messageId: randomUUID() }]);
    } finally {
      await bus.close();
    }
    await waitFor('the dead letter counted', async () => metricValue(await metricsOf(stack.conversation), 'relaydesk_messaging_dead_letters', inbound) === 1 || undefined, { timeoutMs: 20_000, intervalMs: 200 });
    expect(metricValue(await metricsOf(stack.conversation), 'messaging_client_consumed_messages_total', { ...inbound, relaydesk_outcome: 'dead_lettered' })).toBe(1);
  });

  it('a METRICS_PORT that is no port stops the service at start with a clear reason', async () => {
    await expect(startService('routing', { ...stack.env, METRICS_PORT: 'nine' })).rejects.toThrow(/"msg":"could not start".*METRICS_PORT must be a port number \(1–65535\), not \\"nine\\"/);
    const taken = Number(new URL(stack.routing.metricsUrl!).port);
    await expect(startService('search', stack.env, { metricsPort: taken })).rejects.toThrow(new RegExp(`METRICS_PORT ${taken}: .*EADDRINUSE`));
  });

  it('a service that cannot start says why in one JSON log line: a bad setting, or which dependency is out of reach', async () => {
    const firstLine = async (start: Promise<unknown>) => {
      const failure = await start.then(() => new Error('started'), (error: Error) => error);
      const line = failure.message.split('\n').find((l) => l.includes('could not start'));
      return line === undefined ? failure.message : (JSON.parse(line) as { level: number; service: string; err: { message: string } });
    };
    expect(await firstLine(startService('routing', { ...stack.env, INTERNAL_SECRET: 'short' }))).toMatchObject({ level: 60, service: 'routing', err: { message: expect.stringMatching(/INTERNAL_SECRET: must be at least 16 characters/) } });
    expect(await firstLine(startService('search', { ...stack.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' }))).toMatchObject({ level: 60, err: { message: expect.stringMatching(/^PostgreSQL out of reach: .*ECONNREFUSED/) } });
  });
});
