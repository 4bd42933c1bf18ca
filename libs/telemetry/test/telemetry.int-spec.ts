import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { createTestEnv, startService, type TestEnv } from '@relaydesk/testing';

const run = promisify(execFile);

type OtlpSpan = { name: string; traceId: string; spanId: string; parentSpanId?: string };
type OtlpExport = {
  resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[] }[];
};

/** A stand-in OpenTelemetry collector: keeps what arrives on OTLP/HTTP's JSON trace endpoint. */
async function startCollector(): Promise<{ url: string; exports: OtlpExport[]; server: Server }> {
  const exports: OtlpExport[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') exports.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, exports, server };
}

describe('telemetry of a running service', () => {
  let env: TestEnv;

  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => {
    await env.dispose();
  });

  it('exports the spans of a request, its pg query a child of its HTTP span, and sends the last ones when the service stops', async () => {
    const collector = await startCollector();
    try {
      const routing = await startService('routing', { ...env.env, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
      expect((await fetch(`${routing.url}/ready`)).status).toBe(200);
      // The batch processor would wait seconds before sending; the stop sends what it holds.
      expect(await routing.stop()).toBe(0);

      const resources = collector.exports.flatMap((e) => e.resourceSpans);
      expect(resources.length).toBeGreaterThan(0);
      for (const r of resources) expect(r.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'routing' } });
      const spans = resources.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((span) => ({ ...span, scope: s.scope.name }))));
      const ready = spans.find((s) => s.scope.includes('instrumentation-http') && s.name.startsWith('GET') && !s.parentSpanId);
      expect(ready).toBeDefined();
      const query = spans.find((s) => s.scope.includes('instrumentation-pg') && s.traceId === ready!.traceId);
      expect(query).toBeDefined();
    } finally {
      collector.server.close();
    }
  });

  it('loads no OpenTelemetry module without a collector, and the SDK with one', async () => {
    const probe = `require('@relaydesk/telemetry').startTelemetry('probe').then(() => console.log(Object.keys(require.cache).filter((k) => k.includes('/@opentelemetry/')).length))`;
    const loaded = async (env: Record<string, string>) => Number((await run(process.execPath, ['--import', 'tsx', '-e', probe], { env: { ...process.env, ...env } })).stdout.trim());
    expect(await loaded({ OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBe(0);
    expect(await loaded({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' })).toBeGreaterThan(0);
  });
});
