import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { waitFor } from './wait';

const root = join(__dirname, '..', '..', '..');

export type ServiceName = 'gateway' | 'ingestion' | 'routing' | 'conversation' | 'search' | 'notification' | 'tagging-analytics';

export type RunningService = {
  name: ServiceName;
  url: string;
  port: number;
  /** `GET /metrics` of the service, when it was started with a metrics port. */
  metricsUrl: string | undefined;
  process: ChildProcess;
  output: () => string;
  /** SIGTERM and wait for a clean exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: the crash a test wants to survive. */
  kill(): Promise<void>;
};

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Starts a service as its own process (tsx, no build), as production would, and waits for /ready. */
export type StartOptions = {
  port?: number;
  /** Serve Prometheus metrics there (METRICS_PORT). */
  metricsPort?: number;
  onOutput?: (line: string) => void;
  /** Own process group: a terminal's Ctrl+C reaches only the supervisor, which stops services in order. */
  detached?: boolean;
};

export async function startService(name: ServiceName, env: Record<string, string>, options: StartOptions = {}): Promise<RunningService> {
  for (let attempt = 1; ; attempt++) {
    const listenPort = options.port ?? (await freePort());
    try {
      return await startOn(listenPort, name, env, options);
    } catch (error) {
      // Between freePort and the service's listen, another process may take the port (an outgoing
      // connection's source port, a parallel suite): a port we picked is picked again.
      const taken = (error as Error).message.includes(`EADDRINUSE: address already in use 0.0.0.0:${listenPort}`);
      if (options.port !== undefined || !taken || attempt === 3) throw error;
    }
  }
}

async function startOn(listenPort: number, name: ServiceName, env: Record<string, string>, { metricsPort, onOutput, detached = false }: StartOptions): Promise<RunningService> {
  // SERVICE_CPU_PROF_DIR=<dir>: each service writes a V8 CPU profile there when it stops (for the bench).
  const profile = process.env['SERVICE_CPU_PROF_DIR'] ? ['--cpu-prof', `--cpu-prof-dir=${join(process.env['SERVICE_CPU_PROF_DIR'], name)}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', join(root, 'services', name, 'src', 'main.ts')], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(listenPort), ...(metricsPort === undefined ? {} : { METRICS_PORT: String(metricsPort) }) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached,
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
    if (onOutput) for (const line of chunk.toString().split('\n')) if (line) onOutput(line);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = once(child, 'exit') as Promise<[number | null]>;
  const url = `http://127.0.0.1:${listenPort}`;
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  const started = await waitFor(`${name} ready`, async () => (hasExited() ? 'exited' : (await fetch(`${url}/ready`)).ok && 'ready'), { timeoutMs: 60_000, intervalMs: 100 });
  if (started === 'exited') {
    await exited; // its output is all read by then
    throw new Error(`${name} exited during start:\n${output}`);
  }
  return {
    name,
    url,
    port: listenPort,
    metricsUrl: metricsPort === undefined ? undefined : `http://127.0.0.1:${metricsPort}/metrics`,
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = await exited;
      return code;
    },
    async kill() {
      if (child.exitCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export type Stack = {
  gateway: RunningService;
  ingestion: RunningService;
  routing: RunningService;
  conversation: RunningService;
  search: RunningService;
  notification: RunningService;
  analytics: RunningService;
  admin: { email: string; password: string };
  env: Record<string, string>;
  /**
   * Kills a service as a crash would (SIGKILL) and starts it again on its port with the same
   * settings, after `whileDown` when given.
   */
  restart(service: StackService, whileDown?: () => Promise<unknown>): Promise<RunningService>;
  stop(): Promise<void>;
};

export type StackService = 'gateway' | 'ingestion' | 'routing' | 'conversation' | 'search' | 'notification' | 'analytics';

/**
 * The services once all have started; when one could not, the others (and `started`) are stopped
 * again, since a suite whose setup failed never reaches its afterAll's stop and its processes
 * would keep Jest from exiting.
 */
async function allOrNone<T extends readonly Promise<RunningService>[]>(starting: T, started: RunningService[] = []): Promise<{ -readonly [K in keyof T]: RunningService }> {
  const settled = await Promise.allSettled(starting);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (!failure) return settled.map((s) => (s as PromiseFulfilledResult<RunningService>).value) as { -readonly [K in keyof T]: RunningService };
  const running = [...started, ...settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))];
  await Promise.all(running.map((s) => s.stop()));
  throw failure.reason;
}

/**
 * All services of the skeleton against one test environment, the gateway pointed at the others;
 * with `metrics`, each serves `GET /metrics` on a port of its own.
 */
export async function startStack(base: Record<string, string>, extra: Record<string, string> = {}, { metrics = false }: { metrics?: boolean } = {}): Promise<Stack> {
  const admin = { email: 'admin@relaydesk.test', password: 'admin-password-1' };
  // The webhook addresses ingestion hands out lead to this stack's ingestion, not to whatever holds 8081.
  const ingestionPort = await freePort();
  const env = { ...base, BCRYPT_ROUNDS: '4', ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password, TRUST_PROXY: 'loopback', PUBLIC_INGEST_URL: `http://127.0.0.1:${ingestionPort}`, ...extra };
  const metricsPort = async () => (metrics ? { metricsPort: await freePort() } : {});
  const [ingestion, routing, conversation, search, notification, analytics] = await allOrNone([
    startService('ingestion', env, { port: ingestionPort, ...(await metricsPort()) }),
    startService('routing', env, await metricsPort()),
    startService('conversation', env, await metricsPort()),
    startService('search', env, await metricsPort()),
    startService('notification', env, await metricsPort()),
    startService('tagging-analytics', env, await metricsPort()),
  ] as const);
  const gatewayEnv = { ...env, CONVERSATION_URL: conversation.url, INGESTION_URL: ingestion.url, SEARCH_URL: search.url, ANALYTICS_URL: analytics.url };
  const [gateway] = await allOrNone([startService('gateway', gatewayEnv, await metricsPort())] as const, [ingestion, routing, conversation, search, notification, analytics]);
  const services = { gateway, ingestion, routing, conversation, search, notification, analytics };
  const stack: Stack = {
    ...services,
    admin,
    env,
    async restart(key, whileDown) {
      const old = stack[key];
      await old.kill();
      await whileDown?.();
      const keptMetricsPort = old.metricsUrl === undefined ? {} : { metricsPort: Number(new URL(old.metricsUrl).port) };
      stack[key] = await startService(old.name, key === 'gateway' ? gatewayEnv : env, { port: old.port, ...keptMetricsPort });
      return stack[key];
    },
    async stop() {
      await Promise.all((Object.keys(services) as StackService[]).map((key) => stack[key].stop()));
    },
  };
  return stack;
}
