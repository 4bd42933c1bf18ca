import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { makeEnvelope, type AnyMessage, type MessageOf } from '@relaydesk/bus';
import { createDataSource, openDatabase } from '@relaydesk/db';
import { createTestEnv, type TestEnv } from '@relaydesk/testing';
import { storeClientMessages } from '../src/domain/store-client-messages';
import { conversationMigrations } from '../src/store/migrations';

const channelId = randomUUID();
const groupId = randomUUID();

function routed(client: string, externalMessageId: string, text: string, name = `Client ${client}`): MessageOf<'message.routed'> {
  const inbound = { channel: 'webchat' as const, channelId, externalClientId: client, clientName: name, externalMessageId, sentAt: new Date().toISOString(), text };
  return makeEnvelope('message.routed', { inbound, groupId }, { source: 'test', partitionKey: `${channelId}:${client}` });
}

/** The batch writer on a real database: several messages of one client in one batch. */
describe('storeClientMessages', () => {
  let env: TestEnv;
  let db: DataSource;
  const store = async (batch: MessageOf<'message.routed'>[]) => {
    const emitted: AnyMessage[] = [];
    await db.transaction((tx) => storeClientMessages(tx, batch, (m) => emitted.push(...m)));
    return emitted.map((e) => e.type);
  };
  const conversation = async (client: string) =>
    (await db.query(`SELECT c.* , cl.name, cl.original_name FROM conversation c JOIN client cl ON cl.id = c.client_id WHERE cl.external_id = $1`, [client]))[0];
  const log = async (id: string) => (await db.query('SELECT action FROM conversation_log WHERE conversation_id = $1 ORDER BY id', [id])).map((r: any) => r.action);

  beforeAll(async () => {
    env = await createTestEnv();
    db = await openDatabase(createDataSource({ url: env.databaseUrl, schema: 'conversation', migrations: conversationMigrations }));
  });
  afterAll(async () => {
    await db.destroy();
    await env.dispose();
  });

  it('D5, D6: a new client’s messages in one batch make one conversation, logged as created once; a repeat in the batch is stored once', async () => {
    const events = await store([routed('ann', 'a1', 'hi'), routed('ann', 'a2', 'are you there? 🙂'), routed('ann', 'a1', 'hi'), routed('bob', 'b1', 'hello')]);
    const ann = await conversation('ann');
    expect(ann).toMatchObject({ status: 'unassigned', group_id: groupId, unread_count: 2, last_message_text: 'are you there? 🙂' });
    expect(await log(ann.id)).toEqual(['created']);
    expect(events.sort()).toEqual(['conversation.changed', 'conversation.changed', 'conversation.created', 'conversation.created', 'message.received', 'message.received', 'message.received']);
  });

  it('D6: messages to a closed conversation send it to Unassigned once; to an inbox they leave it there', async () => {
    const ann = await conversation('ann');
    const bob = await conversation('bob');
    await db.query(`UPDATE conversation SET status = 'closed', assignee_id = $2, closed_at = now() WHERE id = $1`, [ann.id, randomUUID()]);
    const holder = randomUUID();
    await db.query(`UPDATE conversation SET status = 'in_progress', assignee_id = $2 WHERE id = $1`, [bob.id, holder]);
    await store([routed('ann', 'a3', 'back again'), routed('bob', 'b2', 'thanks'), routed('ann', 'a4', 'one more')]);
    expect(await conversation('ann')).toMatchObject({ status: 'unassigned', assignee_id: null, unread_count: 4, last_message_text: 'one more' });
    expect(await log(ann.id)).toEqual(['created', 'unassigned']);
    expect(await conversation('bob')).toMatchObject({ status: 'in_progress', assignee_id: holder, unread_count: 2 });
    expect(await log(bob.id)).toEqual(['created']);
  });

  it('D20: messages of one client stored in one batch keep the order he sent them in, after his newest one, and the conversation shows the last', async () => {
    const texts = ['photo 📷', 'caption', 'and a question?', 'last one'];
    const before = await conversation('bob');
    await store(texts.map((text, i) => routed('bob', `b-order-${i}`, text)));
    const history = await db.query<{ text: string; created_at: Date }[]>(
      'SELECT text, created_at FROM message WHERE conversation_id = $1 ORDER BY created_at DESC, id DESC LIMIT 4',
      [before.id],
    );
    expect(history.map((m) => m.text).reverse()).toEqual(texts);
    const times = history.map((m) => m.created_at.getTime()).reverse();
    expect(times[0]).toBeGreaterThan(before.last_message_at.getTime());
    expect(new Set(times).size).toBe(4);
    expect((await conversation('bob')).last_message_at.getTime()).toBe(times[3]);
  });

  it('D17: a new channel-side name updates the original name only', async () => {
    await db.query(`UPDATE client SET name = 'Renamed by operator' WHERE external_id = 'bob'`);
    await store([routed('bob', 'b3', 'hey', 'Robert')]);
    expect(await conversation('bob')).toMatchObject({ name: 'Renamed by operator', original_name: 'Robert' });
  });

  it('D27: a blacklisted client’s message is stored but moves nothing and counts as blocked, not unread', async () => {
    const ann = await conversation('ann');
    await db.query(`UPDATE conversation SET status = 'closed', assignee_id = $2 WHERE id = $1`, [ann.id, randomUUID()]);
    await db.query(`UPDATE client SET blacklisted = true WHERE external_id = 'ann'`);
    const events = await store([routed('ann', 'a5', 'let me in')]);
    expect(await conversation('ann')).toMatchObject({ status: 'closed', unread_count: ann.unread_count, last_message_text: 'let me in' });
    expect((await db.query(`SELECT blocked_messages FROM client WHERE external_id = 'ann'`))[0].blocked_messages).toBe(1);
    // D27: the Blacklist tab's item changes; the message itself goes to nobody (see the live stream test).
    expect(events).toEqual(['message.received', 'conversation.changed']);
  });
});
