import { randomUUID } from 'node:crypto';
import { createDataSource, openDatabase } from '@relaydesk/db';
import { AppError, createLogger } from '@relaydesk/service-kit';
import { createTestEnv, infra, waitFor, type TestEnv } from '@relaydesk/testing';
import type { DataSource } from 'typeorm';
import {
  Bus,
  Consumer,
  OutboxRelay,
  emitInTransaction,
  handleOnceInTransaction,
  makeEnvelope,
  peekDeadLetters,
  replayDeadLetters,
  type AnyMessage,
} from '../src';

const logger = createLogger('bus-test', process.env['TEST_LOG_LEVEL'] ?? 'silent');
const groupId = randomUUID();

function configured(name: string, partitionKey = name): AnyMessage {
  return makeEnvelope('channel.configured', { channelId: randomUUID(), type: 'webchat', name, groupId }, { source: 'test', partitionKey });
}

describe('bus', () => {
  let env: TestEnv;
  let bus: Bus;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    env = await createTestEnv();
    bus = await Bus.connect({ url: env.amqpUrl, logger });
  });
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
  });
  afterAll(async () => {
    await bus.close();
    await env.dispose();
  });

  function consume(name: string, handle: (m: AnyMessage[]) => Promise<void>, partitions = 1): Promise<Consumer> {
    const consumer = new Consumer(bus, { name, partitions, bindings: [{ exchange: 'events', pattern: 'channel.configured' }], handle, retryDelaysMs: [200], inPlaceRetryDelaysMs: [10] });
    consumers.push(consumer);
    return consumer.start();
  }

  it('keeps the order of each partition key across partitions', async () => {
    const seen = new Map<string, number[]>();
    await consume('order', async (batch) => {
      for (const m of batch) {
        const [key, n] = (m.payload as { name: string }).name.split('#');
        seen.set(key!, [...(seen.get(key!) ?? []), Number(n)]);
      }
    }, 4);
    for (let n = 0; n < 40; n++) {
      await bus.publish(Array.from({ length: 10 }, (_, k) => configured(`key${k}#${n}`, `key${k}`)));
    }
    await waitFor('all handled', () => [...seen.values()].reduce((s, l) => s + l.length, 0) >= 400 || undefined);
    const inOrder = Array.from({ length: 40 }, (_, n) => n);
    for (let k = 0; k < 10; k++) expect(seen.get(`key${k}`)).toEqual(inOrder);
  });

  it('D33: a malformed message goes to the DLQ with its reason; its neighbours are handled', async () => {
    const handled: string[] = [];
    await consume('dlq', async (batch) => {
      handled.push(...batch.map((m) => (m.payload as { name: string }).name));
    });
    await bus.publish([configured('before')]);
    await bus.publishRaw([{ exchange: 'events', routingKey: 'channel.configured', body: Buffer.from('{"not": "an envelope"'), headers: { 'partition-key': 'x' }, messageId: 'broken-json' }]);
    const wrongPayload = { ...configured('bad'), payload: { name: 42 } };
    await bus.publishRaw([{ exchange: 'events', routingKey: 'channel.configured', body: Buffer.from(JSON.stringify(wrongPayload)), headers: { 'partition-key': 'x' }, messageId: wrongPayload.id }]);
    await bus.publish([configured('after')]);
    await waitFor('neighbours', () => handled.includes('after') || undefined);
    expect(handled).toEqual(['before', 'after']);
    const dead = await waitFor('two dead letters', async () => {
      const letters = await peekDeadLetters(bus, 'dlq');
      return letters.length === 2 ? letters : undefined;
    });
    expect(dead.map((d) => d.reason)).toEqual([
      'body is not JSON',
      expect.stringMatching(/bad channel.configured payload: .*channelId.*/s),
    ]);
  });

  it('retries a failing handler, then dead-letters a permanent failure without blocking the rest', async () => {
    const handled: string[] = [];
    let flaky = 3;
    await consume('retry', async (batch) => {
      for (const m of batch) {
        const name = (m.payload as { name: string }).name;
        if (name === 'flaky' && flaky-- > 0) throw new Error('database blinked');
        if (name === 'refused') throw new AppError('conflict', 'rule says no');
      }
      handled.push(...batch.map((m) => (m.payload as { name: string }).name));
    });
    await bus.publish([configured('flaky'), configured('refused'), configured('fine')]);
    await waitFor('flaky and fine', () => (handled.includes('flaky') && handled.includes('fine')) || undefined);
    const dead = await waitFor('refused dead-lettered', async () => (await peekDeadLetters(bus, 'retry')).find((d) => d.reason === 'rule says no'));
    expect(dead).toBeDefined();
    expect(handled).not.toContain('refused');
    expect(await replayDeadLetters(bus, 'retry')).toEqual({ replayed: 1 });
  });

  describe('with a database', () => {
    let db: DataSource;
    let relay: OutboxRelay;
    beforeAll(async () => {
      db = await openDatabase(createDataSource({ url: env.databaseUrl, schema: 'bus_test', migrations: [] }));
      await db.query('CREATE TABLE IF NOT EXISTS applied (id uuid PRIMARY KEY, name text NOT NULL)');
      relay = new OutboxRelay(db, bus, logger).start();
    });
    afterAll(async () => {
      await relay.stop();
      await db.destroy();
    });

    it('applies a redelivered message once (inbox) and publishes what the change emits (outbox)', async () => {
      const relayed: string[] = [];
      await consume('outbox-echo', async (batch) => {
        relayed.push(...batch.map((m) => (m.payload as { name: string }).name));
      });
      const handle = handleOnceInTransaction(db, relay, 'once', async (tx, messages, emit) => {
        for (const m of messages) {
          await tx.query('INSERT INTO applied (id, name) VALUES ($1, $2)', [m.id, (m.payload as { name: string }).name]);
          emit([configured(`echo-${(m.payload as { name: string }).name}`)]);
        }
      });
      const once = configured('once');
      await handle([once, configured('twice')]);
      await handle([once]);
      const [{ count }] = await db.query('SELECT count(*)::int AS count FROM applied');
      expect(count).toBe(2);
      await waitFor('echoes relayed', () => relayed.length >= 2 || undefined);
      expect(relayed.sort()).toEqual(['echo-once', 'echo-twice']);
    });

    it('applies a message once when its redelivery lands in the same batch', async () => {
      const seen: string[] = [];
      const handle = handleOnceInTransaction(db, undefined, 'once-per-batch', async (_tx, messages) => {
        seen.push(...messages.map((m) => m.id));
      });
      const twice = configured('in-one-batch');
      const other = configured('beside-it');
      await handle([twice, other, twice]);
      expect(seen).toEqual([twice.id, other.id]);
    });

    it('delivers one type in this process instead of the broker, and publishes it after all when that fails or hangs', async () => {
      const localDb = await openDatabase(createDataSource({ url: env.databaseUrl, schema: 'bus_local', migrations: [] }));
      let store: 'up' | 'down' | 'hanging' = 'up';
      const delivered: string[] = [];
      const nameOf = (m: AnyMessage) => (m.payload as { name: string }).name;
      const localRelay = new OutboxRelay(localDb, bus, logger, {
        local: {
          type: 'channel.configured',
          deliver: async (messages) => {
            if (store === 'down') throw new Error('the projection store is down');
            if (store === 'hanging') await new Promise(() => undefined);
            delivered.push(...messages.map(nameOf));
          },
          timeoutMs: 300,
        },
      }).start();
      const relayed: string[] = [];
      await consume('outbox-local', async (batch) => {
        relayed.push(...batch.map(nameOf));
      });
      try {
        await localDb.transaction((tx) => emitInTransaction(tx, [configured('local-here')]));
        localRelay.kick();
        await waitFor('delivered in process', () => delivered.includes('local-here'));
        store = 'down';
        await localDb.transaction((tx) => emitInTransaction(tx, [configured('local-fallback')]));
        localRelay.kick();
        await waitFor('published instead', () => relayed.includes('local-fallback'));
        store = 'hanging';
        await localDb.transaction((tx) => emitInTransaction(tx, [configured('local-hung')]));
        localRelay.kick();
        await waitFor('published after the time-out', () => relayed.includes('local-hung'));
        expect(relayed).not.toContain('local-here');
        expect(delivered).not.toContain('local-fallback');
        await waitFor('outbox emptied', async () => (await localDb.query('SELECT count(*)::int AS left FROM outbox'))[0].left === 0);
      } finally {
        await localRelay.stop();
        await localDb.destroy();
      }
    });

    it('sends what the projection refused to its own consumer, which sees nothing else once its binding is retired', async () => {
      const localDb = await openDatabase(createDataSource({ url: env.databaseUrl, schema: 'bus_fallback', migrations: [] }));
      const nameOf = (m: AnyMessage) => (m.payload as { name: string }).name;
      const binding = { exchange: 'events', pattern: 'channel.configured' };
      const fallbackSeen: string[] = [];
      const fallback = (options: { bindings: { exchange: string; pattern: string }[]; retiredBindings?: { exchange: string; pattern: string }[] }) => {
        const consumer = new Consumer(bus, { name: 'outbox-fallback', ...options, handle: async (batch) => void fallbackSeen.push(...batch.map(nameOf)) });
        consumers.push(consumer);
        return consumer.start();
      };
      // An earlier release bound the consumer to the type's route; this one retires that binding.
      await (await fallback({ bindings: [binding] })).stop();
      await fallback({ bindings: [], retiredBindings: [binding] });
      const routed: string[] = [];
      await consume('outbox-route', async (batch) => void routed.push(...batch.map(nameOf)));
      let storeUp = true;
      const localRelay = new OutboxRelay(localDb, bus, logger, {
        local: {
          type: 'channel.configured',
          publishToo: true,
          fallbackExchange: 'outbox-fallback',
          deliver: async () => {
            if (!storeUp) throw new Error('the projection store is down');
          },
        },
      }).start();
      try {
        await localDb.transaction((tx) => emitInTransaction(tx, [configured('fallback-stored')]));
        localRelay.kick();
        await waitFor('published on its route', () => routed.includes('fallback-stored'));
        storeUp = false;
        await localDb.transaction((tx) => emitInTransaction(tx, [configured('fallback-refused')]));
        localRelay.kick();
        await waitFor('sent to the fallback consumer', () => fallbackSeen.includes('fallback-refused'));
        await waitFor('and on its route', () => routed.includes('fallback-refused'));
        expect(fallbackSeen.filter((n) => n.startsWith('fallback-'))).toEqual(['fallback-refused']);
      } finally {
        await localRelay.stop();
        await localDb.destroy();
      }
    });

    it('wakes the replica that relays when another one commits, long before its poll', async () => {
      const schema = { url: env.databaseUrl, schema: 'bus_replicas', migrations: [] };
      const [relayingDb, otherDb] = [await openDatabase(createDataSource(schema)), await openDatabase(createDataSource(schema))];
      const relayed: string[] = [];
      await consume('outbox-replicas', async (batch) => void relayed.push(...batch.map((m) => (m.payload as { name: string }).name)));
      const relaying = new OutboxRelay(relayingDb, bus, logger, { idlePollMs: 600_000 }).start();
      // Alone on its schema, it relays only once it holds the lock; the other replica starts after.
      await relayingDb.transaction((tx) => emitInTransaction(tx, [configured('replica-first')]));
      relaying.kick();
      await waitFor('the first replica relays', () => relayed.includes('replica-first') || undefined);
      const other = new OutboxRelay(otherDb, bus, logger, { idlePollMs: 600_000 }).start();
      try {
        for (let i = 0; i < 3; i++) {
          await otherDb.transaction((tx) => emitInTransaction(tx, [configured(`replica-${i}`)]));
          other.kick();
        }
        await waitFor('relayed by the replica that holds the lock', () => relayed.filter((n) => /^replica-\d$/.test(n)).length === 3 || undefined, { timeoutMs: 10_000 });
      } finally {
        await other.stop();
        await relaying.stop();
        await Promise.all([relayingDb.destroy(), otherDb.destroy()]);
      }
    });

    it('deletes the rows it has published with its next read, and the last ones when it stops', async () => {
      const deferredDb = await openDatabase(createDataSource({ url: env.databaseUrl, schema: 'bus_deferred', migrations: [] }));
      const relayed: string[] = [];
      await consume('outbox-deferred', async (batch) => void relayed.push(...batch.map((m) => (m.payload as { name: string }).name)));
      const left = async () => ((await deferredDb.query('SELECT array_agg(envelope->\'payload\'->>\'name\' ORDER BY id) AS names FROM outbox'))[0].names ?? []) as string[];
      const emitted = (name: string) => deferredDb.transaction((tx) => emitInTransaction(tx, [configured(name)]));
      // One read per step: the first row is there when the relay starts, the second comes with one kick while it idles.
      await emitted('deferred-1');
      const deferred = new OutboxRelay(deferredDb, bus, logger, { idlePollMs: 600_000 }).start();
      try {
        await waitFor('deferred-1 relayed', () => relayed.includes('deferred-1') || undefined);
        expect(await left()).toEqual(['deferred-1']);
        await emitted('deferred-2');
        deferred.kick();
        await waitFor('deferred-2 relayed', () => relayed.includes('deferred-2') || undefined);
        await waitFor('deferred-1 deleted with that read', async () => JSON.stringify(await left()) === JSON.stringify(['deferred-2']) || undefined);
      } finally {
        await deferred.stop();
      }
      expect(await left()).toEqual([]);
      expect(relayed.filter((n) => n.startsWith('deferred-'))).toEqual(['deferred-1', 'deferred-2']);
      await deferredDb.destroy();
    });

    it('keeps outbox rows until the broker confirms them and relays them after a broker drop', async () => {
      const relayed: string[] = [];
      await consume('outbox-drop', async (batch) => {
        relayed.push(...batch.map((m) => (m.payload as { name: string }).name));
      });
      await dropConnections(env.name);
      await db.transaction((tx) => emitInTransaction(tx, Array.from({ length: 50 }, (_, i) => configured(`drop-${i}`))));
      relay.kick();
      await waitFor('relayed after reconnect', () => relayed.length >= 50 || undefined, { timeoutMs: 30_000 });
      expect(new Set(relayed).size).toBe(50);
      await waitFor('outbox emptied', async () => (await db.query('SELECT count(*)::int AS left FROM outbox'))[0].left === 0);
    });
  });
});

async function dropConnections(vhost: string): Promise<void> {
  const base = new URL(infra.rabbitAdmin);
  const auth = `Basic ${Buffer.from(`${base.username}:${base.password}`).toString('base64')}`;
  base.username = '';
  base.password = '';
  const list = (await (await fetch(new URL(`/api/vhosts/${vhost}/connections`, base), { headers: { authorization: auth } })).json()) as { name: string }[];
  for (const c of list) await fetch(new URL(`/api/connections/${encodeURIComponent(c.name)}`, base), { method: 'DELETE', headers: { authorization: auth } });
}
