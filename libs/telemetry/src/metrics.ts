import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MeterProvider } from '@opentelemetry/sdk-metrics';

let provider: MeterProvider | undefined;
let server: Server | undefined;

export type MetricsOptions = {
  /** Serve `GET /metrics` in the Prometheus text format on this port. */
  prometheusPort?: number;
  /** Push to the OTLP endpoint of OTEL_EXPORTER_OTLP_ENDPOINT every OTEL_METRIC_EXPORT_INTERVAL (60 s). */
  otlp: boolean;
};

/**
 * Registers the meter provider that the instruments of libs/service-kit and libs/bus record into,
 * and answers the port it serves metrics on. With neither a port nor OTLP nothing is loaded and
 * every instrument stays the API's no-op. The HTTP and express instrumentations' own metrics are
 * dropped: the request duration comes from service-kit, with the route as its label.
 */
export async function startMetrics(serviceName: string, { prometheusPort, otlp }: MetricsOptions): Promise<number | undefined> {
  if (provider || (prometheusPort === undefined && !otlp)) return undefined;
  const [{ metrics }, sdk, { PrometheusExporter }, { OTLPMetricExporter }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-metrics'),
    import('@opentelemetry/exporter-prometheus'),
    import('@opentelemetry/exporter-metrics-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  const readers: InstanceType<typeof sdk.MetricReader>[] = [];
  let port: number | undefined;
  if (prometheusPort !== undefined) {
    const exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
    readers.push(exporter);
    server = createServer((req, res) => {
      if (req.method === 'GET' && req.url?.split('?')[0] === '/metrics') return exporter.getMetricsRequestHandler(req, res);
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Metrics are at GET /metrics\n');
    });
    port = await listenOn(server, prometheusPort);
  }
  if (otlp) readers.push(new sdk.PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter() }));
  const drop = { type: sdk.AggregationType.DROP } as const;
  provider = new sdk.MeterProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    readers,
    views: ['@opentelemetry/instrumentation-http', '@opentelemetry/instrumentation-express'].map((meterName) => ({ meterName, aggregation: drop })),
  });
  metrics.setGlobalMeterProvider(provider);
  return port;
}

/** Pushes what OTLP has not sent yet and closes the metrics port. */
export async function stopMetrics(): Promise<void> {
  if (provider) {
    await provider.shutdown();
    provider = undefined;
    (await import('@opentelemetry/api')).metrics.disable();
  }
  const closing = server;
  server = undefined;
  if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
}

function listenOn(s: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    s.once('error', (error: Error) => reject(new Error(`METRICS_PORT ${port}: ${error.message}`)));
    s.listen(port, () => resolve((s.address() as AddressInfo).port));
  });
}
