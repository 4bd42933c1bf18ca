import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { ConversationChanged } from '@relaydesk/contracts';
import { infra } from '@relaydesk/testing';
import { LiveState } from '../src';

/** The conversation service's side of the live state, against a real Redis. */
describe('LiveState', () => {
  const prefix = `livestate-test-${randomBytes(4).toString('hex')}:`;
  const redis = new Redis(infra.redis);
  const live = new LiveState(redis, { prefix });
  const operator = randomUUID();
  const group = randomUUID();

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  /** A conversation as the database holds it: version, and whether it is in the operator's inbox. */
  type Row = { id: string; version: number; mine: boolean };
  const changeOf = (row: Row): ConversationChanged => ({
    version: row.version,
    messages: [],
    item: {
      id: row.id,
      client: { id: row.id, name: 'Client', channel: 'api', blacklisted: false },
      pin: null,
      lastMessageByOperator: false,
      assignee: row.mine ? { id: operator } : null,
      unreadCount: 1,
      group: { id: group },
      status: row.mine ? 'in_progress' : 'unassigned',
      listedAt: new Date().toISOString(),
      lastMessage: null,
    },
  });

  it('D14: a rebuild racing with live changes leaves each conversation in exactly the counter sets of its newest state', async () => {
    const database = new Map<string, Row>(Array.from({ length: 5_000 }, () => randomUUID()).map((id) => [id, { id, version: 1, mine: true }]));
    const ids = [...database.keys()];
    await live.apply([...database.values()].map(changeOf), { quiet: true });

    let rebuilding = true;
    const rebuild = (async () => {
      await live.clear();
      // Read after the clear, as the service reads PostgreSQL after it: changes committed meanwhile are newer.
      await live.apply([...database.values()].map((row) => changeOf({ ...row })), { quiet: true });
      rebuilding = false;
    })();
    // Operators taking and handing back while it runs: each change committed (here: in the map), then applied.
    const changes = (async () => {
      for (let i = 0; rebuilding || i < 200; i++) {
        const row = database.get(ids[Math.floor(Math.random() * ids.length)]!)!;
        Object.assign(row, { version: row.version + 1, mine: !row.mine });
        await live.apply([changeOf(row)], { quiet: true });
      }
    })();
    await Promise.all([rebuild, changes]);

    const mineSet = new Set(await redis.smembers(live.keys.counterSet(`mine:${operator}`)));
    const unassignedSet = new Set(await redis.smembers(live.keys.counterSet(`unassigned_unread:${group}`)));
    const wrong = [...database.values()].filter((row) => mineSet.has(row.id) !== row.mine || unassignedSet.has(row.id) === row.mine);
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(mineSet.size).toBe([...database.values()].filter((r) => r.mine).length);
  });

  it('D14: a clear forgets that the state was built, so a rebuild cut short is done again', async () => {
    await live.markBuilt();
    await live.clear();
    expect(await live.isBuilt()).toBe(false);
  });

  it('one rebuild lease at a time; renewing extends only a lease that is held', async () => {
    expect(await live.leaseRebuild(60, { renew: true })).toBe(false);
    expect(await live.leaseRebuild(2)).toBe(true);
    expect(await live.leaseRebuild(60)).toBe(false);
    expect(await live.leaseRebuild(60, { renew: true })).toBe(true);
    expect(await redis.ttl(live.keys.rebuilding)).toBeGreaterThan(2);
    await live.releaseRebuild();
  });
});
