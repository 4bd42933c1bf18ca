import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { makeEnvelope, type DeliveryEnvelope } from '@relaydesk/bus';
import type { CallerIdentity } from '@relaydesk/contracts';
import { createDataSource, openDatabase } from '@relaydesk/db';
import { createTestEnv, type TestEnv } from '@relaydesk/testing';
import { recordDeliveries } from '../src/domain/record-deliveries';
import { sendOperatorMessage } from '../src/domain/send-operator-message';
import { storeClientMessages } from '../src/domain/store-client-messages';
import { conversationMigrations } from '../src/store/migrations';

/**
 * A reply's delivery report and the same reply sent again (its answer lost) meet on one message
 * row and one conversation row. Both must take them in the same order, or PostgreSQL kills one as
 * a deadlock and the operator sees a 500.
 */
describe('a delivery report racing a replayed reply', () => {
  let env: TestEnv;
  let db: DataSource;
  const operator: CallerIdentity = { operatorId: randomUUID(), role: 'super_admin', permissions: [], groupIds: [] };

  beforeAll(async () => {
    env = await createTestEnv();
    db = await openDatabase(createDataSource({ url: env.databaseUrl, schema: 'conversation', migrations: conversationMigrations }));
  });
  afterAll(async () => {
    await db.destroy();
    await env.dispose();
  });

  it('D15: 40 rounds of report and replay at once: no deadlock, one message each, every status recorded', async () => {
    const channelId = randomUUID();
    const inbound = { channel: 'webchat' as const, channelId, externalClientId: 'racer', clientName: 'Racer', externalMessageId: 'r1', sentAt: new Date().toISOString(), text: 'hi' };
    await db.transaction((tx) => storeClientMessages(tx, [makeEnvelope('message.routed', { inbound, groupId: randomUUID() }, { source: 'test', partitionKey: 'racer' })], () => undefined));
    const [{ id: conversationId }] = await db.query('SELECT id FROM conversation');
    await db.query(`UPDATE conversation SET status = 'in_progress', assignee_id = $1`, [operator.operatorId]);

    for (let round = 0; round < 40; round++) {
      const key = `reply-${round}`;
      const { message } = await sendOperatorMessage(db, undefined as never, operator, conversationId, { text: `reply ${round}` }, key);
      const report = makeEnvelope('delivery.webchat', { messageId: message.id, status: 'sent', at: new Date().toISOString() }, { source: 'test', partitionKey: conversationId }) as DeliveryEnvelope;
      const [replayed] = await Promise.all([
        sendOperatorMessage(db, undefined as never, operator, conversationId, { text: `reply ${round}` }, key),
        db.transaction((tx) => recordDeliveries(tx, [report], () => undefined)),
      ]);
      expect(replayed).toMatchObject({ created: false, message: { id: message.id } });
    }
    const rows = await db.query(`SELECT count(*)::int AS n, count(*) FILTER (WHERE delivery_status = 'sent')::int AS sent FROM message WHERE direction = 'out'`);
    expect(rows).toEqual([{ n: 40, sent: 40 }]);
  });
});
