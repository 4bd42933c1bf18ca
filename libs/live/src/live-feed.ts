import type { Redis } from 'ioredis';
import { conversationState, type ConversationChanged, type ConversationState } from '@relaydesk/contracts';
import { z } from 'zod';
import { liveKeys, type LiveKeys } from './keys';

export type LiveEntry = { id: string } & (
  | { kind: 'change'; change: ConversationChanged; previous: ConversationState | null; counts: Record<string, number> }
  | { kind: 'presence'; operatorId: string; presence: string }
  | { kind: 'reload'; reason: string }
  | { kind: 'operator'; operatorId: string }
);

/** Stream ids are `<ms>-<seq>`; a resume point from a client is checked against this. */
export const streamId = z.string().regex(/^\d{1,20}-\d{1,20}$/, 'must be a stream id like 1732000000000-0');

const presence = z.object({ operatorId: z.string(), presence: z.string() });
const operator = z.object({ operatorId: z.string() });
const counts = z.record(z.string(), z.number());

/** Lua's cjson writes a missing assignee as an empty string. */
const previousState = (raw: string): ConversationState | null => {
  if (raw === '') return null;
  const p = JSON.parse(raw) as Record<string, unknown>;
  return conversationState.parse({ ...p, assigneeId: p['assigneeId'] || null });
};

function parseEntry(id: string, fields: string[]): LiveEntry | undefined {
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!, fields[i + 1]!);
  const change = f.get('change');
  if (change !== undefined) {
    // Written by LiveState.apply from payloads the bus validated already; every replica reads every
    // entry, so a second full validation here would cost each replica a share of its CPU.
    return { id, kind: 'change', change: JSON.parse(change) as ConversationChanged, previous: previousState(f.get('previous') ?? ''), counts: counts.parse(JSON.parse(f.get('counts') ?? '{}')) };
  }
  const p = f.get('presence');
  if (p !== undefined) return { id, kind: 'presence', ...presence.parse(JSON.parse(p)) };
  const reload = f.get('reload');
  if (reload !== undefined) return { id, kind: 'reload', reason: reload };
  const o = f.get('operator');
  if (o !== undefined) return { id, kind: 'operator', ...operator.parse(JSON.parse(o)) };
  return undefined;
}

const compareIds = (a: string, b: string): number => {
  const [am = 0n, as = 0n] = a.split('-').map(BigInt);
  const [bm = 0n, bs = 0n] = b.split('-').map(BigInt);
  return am === bm ? Number(as - bs) : am < bm ? -1 : 1;
};
export const isAfter = (a: string, b: string): boolean => compareIds(a, b) > 0;

/**
 * Reads the live stream from where it stood when started, for one gateway replica: every replica
 * reads every entry, so the stream is the fan-out, and its retained tail is the resume window.
 * XREAD blocks its connection, so it reads on a duplicate of the client it is given. After that
 * connection was lost, the feed checks whether entries it had not read were trimmed meanwhile.
 */
export class LiveFeed {
  private readonly keys: LiveKeys;
  private readonly blocking: Redis;
  private mayHaveGap = false;
  private position = '0-0';
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly onEntries: (entries: LiveEntry[]) => void,
    private readonly onError: (error: unknown) => void,
  ) {
    this.keys = liveKeys(prefix);
    // Named, so CLIENT LIST tells which blocked reader belongs to which live state.
    this.blocking = redis.duplicate({ maxRetriesPerRequest: null, connectionName: `live-feed:${prefix}` });
    this.blocking.on('reconnecting', () => (this.mayHaveGap = true));
  }

  /** The id of the last entry handed on; an operator who connects now has seen everything up to it. */
  get lastId(): string {
    return this.position;
  }

  async start(): Promise<this> {
    const [last] = await this.redis.xrevrange(this.keys.stream, '+', '-', 'COUNT', 1);
    this.position = last?.[0] ?? '0-0';
    this.running = true;
    this.loop = this.read();
    return this;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.blocking.disconnect();
    await this.loop;
  }

  /**
   * The entries after `since` up to `until`, or undefined when the stream no longer holds all of
   * them (the client must reload).
   */
  async between(since: string, until: string): Promise<LiveEntry[] | undefined> {
    if (!isAfter(until, since)) return [];
    const [first] = await this.redis.xrange(this.keys.stream, '-', '+', 'COUNT', 1);
    if (!first || isAfter(first[0], since)) {
      // Entries up to `since` were trimmed: unless `since` is the entry just before the first, some are gone.
      return undefined;
    }
    const raw = await this.redis.xrange(this.keys.stream, `(${since}`, until);
    return raw.flatMap(([id, fields]) => this.parse(id, fields));
  }

  /** An entry this version cannot read is skipped, not allowed to stop the feed. */
  private parse(id: string, fields: string[]): LiveEntry[] {
    try {
      const entry = parseEntry(id, fields);
      return entry ? [entry] : [];
    } catch (error) {
      this.onError(error);
      return [];
    }
  }

  /**
   * After a lost connection, entries may have been trimmed (or Redis lost its data) past where this
   * replica stood: it cannot tell its sockets what they missed, so it hands on a reload instead.
   */
  private async reloadedAfterGap(): Promise<boolean> {
    const [first] = await this.redis.xrange(this.keys.stream, '-', '+', 'COUNT', 1);
    if (this.position === '0-0' || (first && !isAfter(first[0], this.position))) return false;
    const [last] = await this.redis.xrevrange(this.keys.stream, '+', '-', 'COUNT', 1);
    this.position = last?.[0] ?? '0-0';
    this.onEntries([{ id: this.position, kind: 'reload', reason: 'the live feed lost entries while this gateway was away from Redis' }]);
    return true;
  }

  private async read(): Promise<void> {
    while (this.running) {
      try {
        const answer = await this.blocking.xread('COUNT', 1000, 'BLOCK', 2000, 'STREAMS', this.keys.stream, this.position);
        if (this.mayHaveGap) {
          this.mayHaveGap = false;
          if (await this.reloadedAfterGap()) continue;
        }
        const entries = answer?.[0]?.[1] ?? [];
        if (entries.length === 0) continue;
        this.position = entries.at(-1)![0];
        this.onEntries(entries.flatMap(([id, fields]) => this.parse(id, fields)));
      } catch (error) {
        if (!this.running) return;
        this.onError(error);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }
}
