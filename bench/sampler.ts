import { readFileSync, readdirSync } from 'node:fs';

/**
 * What the machine does while the pipeline runs: each service's resident memory, CPU per process
 * group (services, PostgreSQL, RabbitMQ, Redis, the bench itself, anything else) and the depth of
 * every queue of the test vhost. Linux /proc and the RabbitMQ management API only.
 */

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux the project runs on

function readOr(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** VmRSS of a process in MB, or undefined once it is gone. */
export function rssMb(pid: number): number | undefined {
  const kb = readOr(`/proc/${pid}/status`)?.match(/^VmRSS:\s+(\d+) kB/m)?.[1];
  return kb === undefined ? undefined : Number(kb) / 1024;
}

const groupOfCommand: Record<string, string> = { postgres: 'postgres', 'beam.smp': 'rabbitmq', erl_child_setup: 'rabbitmq', 'redis-server': 'redis' };

export type CpuSnapshot = { at: number; busyTicks: number; byGroup: Map<string, number> };

/** CPU ticks used so far by every process, summed per group; `named` maps pids to group names. */
export function cpuSnapshot(named: Map<number, string>): CpuSnapshot {
  const byGroup = new Map<string, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readOr(`/proc/${entry}/stat`);
    if (!stat) continue;
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    const command = stat.slice(open + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
    const group = named.get(Number(entry)) ?? groupOfCommand[command] ?? 'other';
    byGroup.set(group, (byGroup.get(group) ?? 0) + ticks);
  }
  const cpu = (readOr('/proc/stat') ?? '').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
  return { at: Date.now(), busyTicks: user + nice + system + irq + softirq + steal, byGroup };
}

/** Average CPU of each group between two snapshots, in % of one core (200 % = both cores busy). */
export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot): Record<string, number> {
  const seconds = (b.at - a.at) / 1000;
  const pct = (ticks: number) => Math.round((ticks / TICKS_PER_SECOND / seconds) * 100);
  const out: Record<string, number> = {};
  for (const [group, ticks] of b.byGroup) out[group] = pct(Math.max(0, ticks - (a.byGroup.get(group) ?? 0)));
  out['machine'] = pct(b.busyTicks - a.busyTicks);
  return out;
}

export type QueueDepth = { name: string; messages: number; ready: number; unacked: number };

/** The queues of one vhost from the management API (its counts lag by a few seconds). */
export async function queueDepths(adminUrl: string, vhost: string): Promise<QueueDepth[]> {
  const url = new URL(`/api/queues/${encodeURIComponent(vhost)}?columns=name,messages,messages_ready,messages_unacknowledged`, adminUrl);
  const auth = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
  url.username = '';
  url.password = '';
  const res = await fetch(url, { headers: { authorization: `Basic ${auth}` } });
  if (!res.ok) throw new Error(`management API ${res.status}`);
  const rows = (await res.json()) as { name: string; messages?: number; messages_ready?: number; messages_unacknowledged?: number }[];
  return rows.map((r) => ({ name: r.name, messages: r.messages ?? 0, ready: r.messages_ready ?? 0, unacked: r.messages_unacknowledged ?? 0 }));
}

/** Samples RSS of the given processes and the queue depths of a vhost until stopped. */
export class Sampler {
  readonly maxRssMb: Record<string, number> = {};
  readonly maxQueue: Record<string, QueueDepth> = {};
  readonly queueSeries: { atMs: number; depths: Record<string, number> }[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly started = Date.now();

  constructor(
    private readonly processes: Record<string, number>,
    private readonly rabbit: { adminUrl: string; vhost: string },
  ) {}

  start({ rssEveryMs = 250, queuesEveryMs = 1_000 } = {}): this {
    this.sampleRss();
    this.timers.push(setInterval(() => this.sampleRss(), rssEveryMs));
    this.timers.push(setInterval(() => void this.sampleQueues(), queuesEveryMs));
    return this;
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
  }

  private sampleRss(): void {
    for (const [name, pid] of Object.entries(this.processes)) {
      const mb = rssMb(pid);
      if (mb !== undefined) this.maxRssMb[name] = Math.max(this.maxRssMb[name] ?? 0, Math.round(mb));
    }
  }

  private async sampleQueues(): Promise<void> {
    try {
      const depths = await queueDepths(this.rabbit.adminUrl, this.rabbit.vhost);
      const point: Record<string, number> = {};
      for (const q of depths) {
        if (q.messages > 0) point[q.name] = q.messages;
        if (q.messages > (this.maxQueue[q.name]?.messages ?? -1)) this.maxQueue[q.name] = q;
      }
      this.queueSeries.push({ atMs: Date.now() - this.started, depths: point });
    } catch {
      // the management API is a nice-to-have here; a missed sample is not a failed run
    }
  }
}
