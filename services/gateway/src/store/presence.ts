import type { Redis } from 'ioredis';
import type { Presence as PresenceStatus } from '../domain/list-assignable-operators';

/**
 * Recomputes one operator's presence from his sockets' heartbeats and remembers it; answers the
 * presence when it differs from the one remembered, so only one replica announces each change.
 * KEYS: the sockets (zset: socket → expiry ms), the away sockets (set), the remembered presence,
 *       the set of operators with a remembered presence.
 * ARGV: now ms, operator id, then optionally: socket id, expiry ms (0 = the socket left), away (0|1).
 */
const updatePresenceScript = `
local sockets, away, last, known = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local now, operator, socket = tonumber(ARGV[1]), ARGV[2], ARGV[3]
if socket then
  if ARGV[4] == '0' then
    redis.call('ZREM', sockets, socket)
    redis.call('SREM', away, socket)
  else
    redis.call('ZADD', sockets, ARGV[4], socket)
    if ARGV[5] == '1' then redis.call('SADD', away, socket) else redis.call('SREM', away, socket) end
  end
end
for _, gone in ipairs(redis.call('ZRANGEBYSCORE', sockets, '-inf', now)) do redis.call('SREM', away, gone) end
redis.call('ZREMRANGEBYSCORE', sockets, '-inf', now)
local live = redis.call('ZCARD', sockets)
local presence = 'offline'
if live > redis.call('SCARD', away) then presence = 'online' elseif live > 0 then presence = 'away' end
if live > 0 then
  redis.call('PEXPIREAT', sockets, redis.call('ZRANGE', sockets, -1, -1, 'WITHSCORES')[2])
  redis.call('SADD', known, operator)
else
  redis.call('SREM', known, operator)
end
if (redis.call('GET', last) or 'offline') == presence then return false end
if presence == 'offline' then redis.call('DEL', last) else redis.call('SET', last, presence) end
return presence
`;

type Keys = { sockets: string; away: string; last: string };

/**
 * Operators' presence from their WebSocket heartbeats, shared by every gateway replica: online
 * while one of his sockets beats, away when all of them say so, offline when none beat within the
 * time to live (a replica that died takes its sockets with it that way).
 */
export class PresenceStore {
  private readonly known: string;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs: number,
  ) {
    this.known = `${prefix}presence:operators`;
    redis.defineCommand('relaydeskUpdatePresence', { numberOfKeys: 4, lua: updatePresenceScript });
  }

  /** A socket's heartbeat; answers the operator's new presence when it changed. */
  beat(operatorId: string, socketId: string, away: boolean): Promise<PresenceStatus | undefined> {
    return this.update(operatorId, [socketId, String(Date.now() + this.ttlMs), away ? '1' : '0']);
  }

  leave(operatorId: string, socketId: string): Promise<PresenceStatus | undefined> {
    return this.update(operatorId, [socketId, '0']);
  }

  /** Lets heartbeats that stopped expire; answers the operators whose presence changed. */
  async sweep(): Promise<Map<string, PresenceStatus>> {
    const changed = new Map<string, PresenceStatus>();
    for (const operatorId of await this.redis.smembers(this.known)) {
      const presence = await this.update(operatorId, []);
      if (presence) changed.set(operatorId, presence);
    }
    return changed;
  }

  async of(operatorIds: string[]): Promise<Map<string, PresenceStatus>> {
    if (operatorIds.length === 0) return new Map();
    const remembered = await this.redis.mget(operatorIds.map((id) => this.keys(id).last));
    return new Map(operatorIds.map((id, i) => [id, (remembered[i] as PresenceStatus | null) ?? 'offline']));
  }

  private keys(operatorId: string): Keys {
    const base = `${this.prefix}presence:${operatorId}`;
    return { sockets: `${base}:sockets`, away: `${base}:away`, last: base };
  }

  private async update(operatorId: string, socketArgs: string[]): Promise<PresenceStatus | undefined> {
    const k = this.keys(operatorId);
    const run = (this.redis as unknown as Record<string, (...a: string[]) => Promise<PresenceStatus | null>>)['relaydeskUpdatePresence']!;
    return (await run.call(this.redis, k.sockets, k.away, k.last, this.known, String(Date.now()), operatorId, ...socketArgs)) ?? undefined;
  }
}
