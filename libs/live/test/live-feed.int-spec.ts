import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { infra, waitFor } from '@relaydesk/testing';
import { LiveFeed, LiveState, type LiveEntry } from '../src';

/** The gateways' side of the live stream, against a real Redis. */
describe('LiveFeed', () => {
  const prefix = `livefeed-test-${randomBytes(4).toString('hex')}:`;
  const writer = new Redis(infra.redis);
  const live = new LiveState(writer, { prefix });
  let feed: LiveFeed;
  const seen: LiveEntry[] = [];

  beforeAll(async () => {
    feed = await new LiveFeed(writer, prefix, (entries) => seen.push(...entries), () => undefined).start();
  });

  afterAll(async () => {
    await feed.stop();
    await writer.del(live.keys.stream);
    writer.disconnect();
  });

  it('hands on every entry after where it started, in order', async () => {
    await live.announcePresence('op-1', 'online');
    await live.announceReload('first');
    await live.announceOperatorChanged('op-1');
    await waitFor('three entries', () => seen.length >= 3);
    expect(seen.map((e) => e.kind)).toEqual(['presence', 'reload', 'operator']);
    expect(seen[2]).toMatchObject({ kind: 'operator', operatorId: 'op-1' });
    expect(feed.lastId).toBe(seen[2]!.id);
  });

  it('answers what a reconnecting socket missed, or undefined when the stream no longer holds it', async () => {
    const since = feed.lastId;
    await live.announcePresence('op-2', 'away');
    await waitFor('the entry', () => feed.lastId !== since);
    expect((await feed.between(since, feed.lastId))?.map((e) => e.kind)).toEqual(['presence']);
    expect(await feed.between('1-0', feed.lastId)).toBeUndefined();
  });

  it('after losing Redis, entries trimmed meanwhile become one reload instead of a silent gap', async () => {
    seen.length = 0;
    // Kill the feed's connection, and while it is away write two entries and trim the first of them.
    const [feedClient] = ((await writer.client('LIST')) as string).split('\n').filter((l) => l.includes(`name=live-feed:${prefix} `));
    const id = /id=(\d+)/.exec(feedClient ?? '')?.[1];
    expect(id).toBeDefined();
    await writer.client('KILL', 'ID', id!);
    await live.announcePresence('op-3', 'online');
    await live.announcePresence('op-3', 'away');
    await writer.xtrim(live.keys.stream, 'MAXLEN', 1);
    await waitFor('a reload', () => seen.some((e) => e.kind === 'reload'), { timeoutMs: 10_000 });
    expect(seen.filter((e) => e.kind === 'presence')).toEqual([]);
  });
});
