import type { Redis } from 'ioredis';
import { hasAllTab, inScope, type CallerIdentity, type ConversationChanged } from '@relaydesk/contracts';
import { applyChangeScript } from './apply-change.script';
import { clearStateScript } from './clear-state.script';
import { liveKeys, type CounterSetKind, type LiveKeys } from './keys';

/** #9 and #10 of D14, as `GET /conversations/counters` answers them; All and Blacklist only for whom D1 opens them. */
export type Counters = { mine: number; unread: { unassigned: number; mine: number; closed: number; all?: number; blacklist?: number } };

/** Whether a counter set (by name, `<kind>:<id>`) is one of this caller's figures. */
export function countsFor(caller: CallerIdentity, name: string): boolean {
  const colon = name.indexOf(':');
  const [kind, id] = [name.slice(0, colon) as CounterSetKind, name.slice(colon + 1)];
  switch (kind) {
    case 'mine':
    case 'mine_unread':
    case 'closed_unread':
      return id === caller.operatorId;
    case 'unassigned_unread':
      return inScope(caller, id);
    case 'all_unread':
    case 'blacklist_unread':
      return hasAllTab(caller) && inScope(caller, id);
    default:
      return false;
  }
}

/** The names of the counter sets a caller's figures add up, given every group there is. */
export function counterSetsOf(caller: CallerIdentity, allGroupIds: string[]): string[] {
  const perOperator = (['mine', 'mine_unread', 'closed_unread'] as const).map((kind) => `${kind}:${caller.operatorId}`);
  const perGroup = (['unassigned_unread', 'all_unread', 'blacklist_unread'] as const).flatMap((kind) => allGroupIds.map((g) => `${kind}:${g}`));
  return [...perOperator, ...perGroup].filter((name) => countsFor(caller, name));
}

/** A caller's figures from the sizes of the counter sets (see LiveState.counterSets). */
export function countersOf(caller: CallerIdentity, sets: Map<string, number>): Counters {
  const sum = (kind: CounterSetKind): number => {
    let total = 0;
    for (const [name, size] of sets) if (name.startsWith(`${kind}:`) && countsFor(caller, name)) total += size;
    return total;
  };
  const unread = { unassigned: sum('unassigned_unread'), mine: sum('mine_unread'), closed: sum('closed_unread') };
  return { mine: sum('mine'), unread: hasAllTab(caller) ? { ...unread, all: sum('all_unread'), blacklist: sum('blacklist_unread') } : unread };
}

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
    redis.defineCommand('relaydeskClearState', { numberOfKeys: 0, lua: clearStateScript });
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

  /** The sizes of the counter sets a caller's figures add up, by name, with the stream id they are current at. */
  async counterSets(caller: CallerIdentity, allGroupIds: string[]): Promise<{ sets: Map<string, number>; asOf: string }> {
    const names = counterSetsOf(caller, allGroupIds);
    const multi = this.redis.multi().xrevrange(this.keys.stream, '+', '-', 'COUNT', 1);
    for (const name of names) multi.scard(this.keys.counterSet(name));
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

  /**
   * Empties the projection (not the stream) before a rebuild from the database, in one step that no
   * change interleaves with, and forgets that it was built: a rebuild cut short is done again.
   */
  async clear(): Promise<void> {
    await (this.redis as unknown as Record<string, (...a: string[]) => Promise<number>>)['relaydeskClearState']!(this.keys.built, ...this.keys.statePatterns);
  }

  /** Whether the projection was built from the database since Redis last lost its data. */
  async isBuilt(): Promise<boolean> {
    return (await this.redis.exists(this.keys.built)) === 1;
  }

  async markBuilt(): Promise<void> {
    await this.redis.set(this.keys.built, new Date().toISOString());
  }

  /** One rebuild at a time across replicas; answers false when another one holds the lease (or, to renew, when none does). */
  async leaseRebuild(seconds: number, { renew = false } = {}): Promise<boolean> {
    const answer = renew ? await this.redis.set(this.keys.rebuilding, '1', 'EX', seconds, 'XX') : await this.redis.set(this.keys.rebuilding, '1', 'EX', seconds, 'NX');
    return answer === 'OK';
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

  /** An operator's role, permissions, groups or standing changed: every replica re-reads him for his open sockets. */
  async announceOperatorChanged(operatorId: string): Promise<void> {
    await this.redis.xadd(this.keys.stream, 'MAXLEN', '~', String(this.streamLength), '*', 'operator', JSON.stringify({ operatorId }));
  }
}

