import { Bus, makeEnvelope, peekDeadLetters, type Consumer } from '@relaydesk/bus';
import { createDataSource, openDatabase } from '@relaydesk/db';
import { createLogger } from '@relaydesk/service-kit';
import { createTestEnv, waitFor, type TestEnv } from '@relaydesk/testing';
import type { DataSource } from 'typeorm';
import { conversationChangedConsumer } from '../src/events/conversation-changed.consumer';
import { searchMigrations } from '../src/store/migrations';
import { PostgresEngine } from '../src/store/postgres-engine';
import { changed } from './engine-contract';

/** The feed: `conversation.changed` from the bus into the index, idempotent, bad messages to the DLQ. */
describe('search feed', () => {
  let env: TestEnv;
  let db: DataSource;
  let bus: Bus;
  let consumer: Consumer;
  let engine: PostgresEngine;

  beforeAll(async () => {
    env = await createTestEnv();
    db = await openDatabase(createDataSource({ url: env.databaseUrl, schema: 'search', migrations: searchMigrations }));
    bus = await Bus.connect({ url: env.amqpUrl, logger: createLogger('search-feed-test', 'silent') });
    engine = new PostgresEngine(db);
    consumer = await conversationChangedConsumer(bus, engine, 2).start();
  }, 60_000);

  afterAll(async () => {
    await consumer?.stop();
    await bus?.close();
    await db?.destroy();
    await env?.dispose();
  });

  const envelope = (payload: ReturnType<typeof changed>) => makeEnvelope('conversation.changed', payload, { source: 'conversation', partitionKey: payload.item.id });
  const search = (word: string) => engine.search({ words: [word], audience: { everything: true }, limit: 10 });

  it('D26: events become searchable; a redelivered or older event changes nothing', async () => {
    const first = changed({ name: 'Feed Client', version: 1, messages: [{ text: 'hedgehog arrived' }] });
    const second = { ...changed({ id: first.item.id, clientId: first.item.client.id, name: 'Feed Client', version: 2, status: 'in_progress' }), messages: [] };
    const one = envelope(first);
    await bus.publish([one, envelope(second), one, envelope(first)]);
    const [hit, ...rest] = await waitFor('indexed', async () => {
      const hits = await search('hedgehog');
      return hits[0]?.conversation.status === 'in_progress' ? hits : undefined;
    });
    expect(rest).toEqual([]);
    expect(hit).toMatchObject({ messageCount: 1, conversation: { id: first.item.id, status: 'in_progress' } });
  });

  it('D33: a malformed event goes to search.index.dlq with its reason; its neighbours are indexed', async () => {
    const bad = { ...envelope(changed()), payload: { version: 1, item: { id: 'not-a-uuid' }, messages: [] } };
    await bus.publishRaw([{ exchange: 'events', routingKey: 'conversation.changed', body: Buffer.from(JSON.stringify(bad)), headers: { 'partition-key': 'x' }, messageId: bad.id }]);
    await bus.publish([envelope(changed({ messages: [{ text: 'otter after' }] }))]);
    await waitFor('neighbour indexed', async () => (await search('otter')).length === 1);
    const dead = await waitFor('dead letter', async () => {
      const letters = await peekDeadLetters(bus, 'search.index');
      return letters.length === 1 ? letters : undefined;
    });
    expect(dead[0]?.reason).toMatch(/bad conversation.changed payload/);
  });
});
