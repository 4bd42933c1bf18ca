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
function rssMb(pid: number): number | undefined {
  const kb = readOr(`/proc/${pid}/status`)?.match(/^VmRSS:\s+(\d+) kB/m)?.[1];
  return kb === undefined ? undefined : Number(kb) / 1024;
}

const groupOfCommand: Record<string, string> = { postgres: 'postgres', 'beam.smp': 'rabbitmq', erl_child_setup: 'rabbitmq', 'redis-server': 'redis' };

export type CpuSnapshot = { at: number; busyTicks: number; byGroup: Map<string, number>; other: Map<string, number> };

/** CPU ticks used so far by every process, summed per group; `named` maps pids to group names. */
export function cpuSnapshot(named: Map<number, string>): CpuSnapshot {
  const byGroup = new Map<string, number>();
  const other = new Map<string, number>();
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
    if (group === 'other') other.set(command, (other.get(command) ?? 0) + ticks);
  }
  const cpu = (readOr('/proc/stat') ?? '').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
  return { at: Date.now(), busyTicks: user + nice + system + irq + softirq + steal, byGroup, other };
}

export type CpuUse = { byGroup: Record<string, number>; machine: number; unattributed: number; topOther: Record<string, number> };

/**
 * Average CPU between two snapshots in % of one core (200 % = both cores of this machine busy).
 * `unattributed` is busy time no live process accounts for: interrupts, processes that exited.
 */
export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot): CpuUse {
  const seconds = (b.at - a.at) / 1000;
  const pct = (ticks: number) => Math.round((ticks / TICKS_PER_SECOND / seconds) * 100);
  const delta = (before: Map<string, number>, after: Map<string, number>) => [...after].map(([k, ticks]) => [k, pct(Math.max(0, ticks - (before.get(k) ?? 0)))] as const);
  const byGroup = Object.fromEntries(delta(a.byGroup, b.byGroup));
  const machine = pct(b.busyTicks - a.busyTicks);
  const attributed = Object.values(byGroup).reduce((x, y) => x + y, 0);
  const topOther = Object.fromEntries(
    delta(a.other, b.other)
      .filter(([, v]) => v > 0)
      .sort((x, y) => y[1] - x[1])
      .slice(0, 5),
  );
  return { byGroup, machine, unattributed: Math.max(0, machine - attributed), topOther };
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

/** Samples RSS of the given processes and the queue depths of a vhost until stopped (series: once a second). */
export class Sampler {
  readonly maxRssMb: Record<string, number> = {};
  readonly maxQueue: Record<string, QueueDepth> = {};
  readonly series: { atMs: number; rssMb: Record<string, number>; queues: Record<string, number> }[] = [];
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
      const queues: Record<string, number> = {};
      for (const q of depths) {
        if (q.messages > 0) queues[q.name] = q.messages;
        if (q.messages > (this.maxQueue[q.name]?.messages ?? -1)) this.maxQueue[q.name] = q;
      }
      const rss = Object.entries(this.processes).map(([name, pid]) => [name, Math.round(rssMb(pid) ?? 0)]);
      this.series.push({ atMs: Date.now() - this.started, rssMb: Object.fromEntries(rss), queues });
    } catch {
      // the management API is a nice-to-have here; a missed sample is not a failed run
    }
  }
}
