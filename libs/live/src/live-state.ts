import type { Redis } from 'ioredis';
import { inScope, type CallerIdentity, type ConversationChanged } from '@relaydesk/contracts';
import { applyChangeScript } from './apply-change.script';
import { liveKeys, type LiveKeys } from './keys';

/** #9 and #10 of D14, as `GET /conversations/counters` answers them. */
export type Counters = { mine: number; unread: { unassigned: number; mine: number } };

/** A caller's figures from the sizes of the counter sets (see LiveState.counterSets). */
export function countersOf(caller: CallerIdentity, sets: Map<string, number>): Counters {
  let unassigned = 0;
  for (const [name, size] of sets) if (name.startsWith('unassigned_unread:') && countsFor(caller, name)) unassigned += size;
  return { mine: sets.get(`mine:${caller.operatorId}`) ?? 0, unread: { mine: sets.get(`mine_unread:${caller.operatorId}`) ?? 0, unassigned } };
}

/** Whether a counter set (by name) is one of this caller's figures. */
export const countsFor = (caller: CallerIdentity, name: string): boolean =>
  name === `mine:${caller.operatorId}` || name === `mine_unread:${caller.operatorId}` || (name.startsWith('unassigned_unread:') && inScope(caller, name.slice('unassigned_unread:'.length)));

export type LiveStateOptions = {
  /** The deployment's key prefix; the client itself must have none, since the script names keys. */
  prefix: string;
  /** How many stream entries stay for clients that reconnect with a resume point. */
  streamLength?: number;
};

/**
 * The live projection of the conversations in Redis: per conversation the newest changed event's
 * state, the counter sets of D14 and the stream of changes that the gateways push to operators.
 * Applying is idempotent and ignores older versions, so redelivery, replicas and rebuilds agree.
 */
export class LiveState {
  readonly keys: LiveKeys;
  readonly prefix: string;
  private readonly streamLength: number;

  constructor(
    readonly redis: Redis,
    options: LiveStateOptions,
  ) {
    this.prefix = options.prefix;
    this.keys = liveKeys(options.prefix);
    this.streamLength = options.streamLength ?? 100_000;
    redis.defineCommand('relaydeskApplyChange', { numberOfKeys: 0, lua: applyChangeScript });
  }

  /** Applies changes in order; with `quiet` no stream entries (a rebuild announces itself once). */
  async apply(changes: ConversationChanged[], { quiet = false } = {}): Promise<void> {
    if (changes.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const change of changes) {
      const { item } = change;
      const args = [
        this.prefix,
        item.id,
        String(change.version),
        item.status,
        item.assignee?.id ?? '',
        item.group.id,
        item.unreadCount > 0 ? '1' : '0',
        item.client.blacklisted ? '1' : '0',
        quiet ? '' : JSON.stringify(change),
        String(this.streamLength),
      ];
      (pipeline as unknown as Record<string, (...a: string[]) => unknown>)['relaydeskApplyChange']!(...args);
    }
    for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
  }

  /**
   * The counter sets a caller's figures add up, by name (`mine:<id>`, `mine_unread:<id>`,
   * `unassigned_unread:<group>`), with the stream id they are current at.
   */
  async counterSets(caller: CallerIdentity, allGroupIds: string[]): Promise<{ sets: Map<string, number>; asOf: string }> {
    const names = [`mine:${caller.operatorId}`, `mine_unread:${caller.operatorId}`, ...allGroupIds.filter((g) => inScope(caller, g)).map((g) => `unassigned_unread:${g}`)];
    const multi = this.redis.multi().xrevrange(this.keys.stream, '+', '-', 'COUNT', 1);
    for (const name of names) multi.scard(`${this.prefix}live:${name}`);
    const replies = ((await multi.exec()) ?? []).map(([error, value]) => {
      if (error) throw error;
      return value;
    });
    const [last, ...sizes] = replies as [[string, string[]][], ...number[]];
    return { sets: new Map(names.map((n, i) => [n, sizes[i] ?? 0])), asOf: last[0]?.[0] ?? '0-0' };
  }

  async counters(caller: CallerIdentity, allGroupIds: string[]): Promise<Counters> {
    return countersOf(caller, (await this.counterSets(caller, allGroupIds)).sets);
  }

  /** Empties the projection (not the stream) before a rebuild from the database. */
  async clear(): Promise<void> {
    for (const pattern of this.keys.statePatterns) {
      let cursor = '0';
      do {
        const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        if (keys.length > 0) await this.redis.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  }

  /** Whether the projection was built from the database since Redis last lost its data. */
  async isBuilt(): Promise<boolean> {
    return (await this.redis.exists(this.keys.built)) === 1;
  }

  async markBuilt(): Promise<void> {
    await this.redis.set(this.keys.built, new Date().toISOString());
  }

  /** One rebuild at a time across replicas; answers false when another one holds the lease. */
  async leaseRebuild(seconds: number): Promise<boolean> {
    return (await this.redis.set(this.keys.rebuilding, '1', 'EX', seconds, 'NX')) === 'OK';
  }

  async releaseRebuild(): Promise<void> {
    await this.redis.del(this.keys.rebuilding);
  }

  /** Tells every connected operator to reload: what he holds may be older than the new state. */
  async announceReload(reason: string): Promise<string> {
    return (await this.redis.xadd(this.keys.stream, 'MAXLEN', '~', String(this.streamLength), '*', 'reload', reason))!;
  }

  async announcePresence(operatorId: string, presence: string): Promise<void> {
    await this.redis.xadd(this.keys.stream, 'MAXLEN', '~', String(this.streamLength), '*', 'presence', JSON.stringify({ operatorId, presence }));
  }
}

