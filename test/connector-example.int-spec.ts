import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import amqp from 'amqplib';
import { headersOf, makeEnvelope } from '@relaydesk/bus';
import { clientKey } from '@relaydesk/contracts';
import { createTestEnv, HttpClient, startStack, waitFor, Workspace, type Stack, type TestEnv } from '@relaydesk/testing';

/**
 * docs/connectors.md in practice: examples/cli-connector, which knows nothing of Relaydesk's code,
 * chats through the bus with an operator who works in the gateway.
 */
describe('the example connector (examples/cli-connector)', () => {
  const clientId = 'zoe-cli';
  const clientName = 'Zoë Müller';
  let env: TestEnv;
  let stack: Stack;
  let admin: HttpClient;
  let olga: HttpClient;
  let channelId: string;
  let connector: ChildProcessWithoutNullStreams;
  let stdout = '';
  let stderr = '';
  let conversationId: string;
  let replyId: string;

  const type = (line: string) => connector.stdin.write(Buffer.from(`${line}\n`, 'utf8'));
  const printed = () => stdout.split('\n').filter(Boolean);
  const messagesOf = async (who: HttpClient) => (await who.get(`/api/v1/conversations/${conversationId}/messages`)).body.items as any[];

  async function publishRaw(routingKey: string, body: object, partitionKey: string): Promise<void> {
    const connection = await amqp.connect(env.amqpUrl);
    try {
      const channel = await connection.createConfirmChannel();
      channel.publish('channels', routingKey, Buffer.from(JSON.stringify(body)), { persistent: true, contentType: 'application/json', headers: { 'partition-key': partitionKey } });
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
  }

  beforeAll(async () => {
    env = await createTestEnv();
    stack = await startStack(env.env);
    const workspace = await Workspace.open(stack);
    admin = workspace.admin;
    const support = await workspace.group('Support');
    olga = (await workspace.operator('Olga', [support])).api;
    const created = await admin.post('/api/v1/channels', { type: 'api', name: 'CLI', groupId: support, settings: { apiKey: 'cli-connector-key-0123456789' } });
    expect(created.status).toBe(201);
    channelId = created.body.id;

    connector = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'examples', 'cli-connector', 'main.ts'), '--client-id', clientId, '--client-name', clientName], {
      env: { ...process.env, AMQP_URL: env.amqpUrl, RELAYDESK_CHANNEL_ID: channelId },
    });
    connector.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    connector.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = once(connector, 'exit').then(() => {
      throw new Error(`the connector exited:\n${stderr}`);
    });
    await Promise.race([waitFor('the connector to connect', () => stderr.includes('connected as'), { timeoutMs: 30_000 }), exited]);
    exited.catch(() => undefined);
  }, 120_000);

  afterAll(async () => {
    if (connector?.exitCode === null) {
      connector.kill('SIGKILL');
      await once(connector, 'exit');
    }
    await stack?.stop();
    await env?.dispose();
  });

  it('D20: a line typed into the connector reaches an operator through the gateway, emoji intact', async () => {
    const line = 'Hallo! Где мой заказ? 📦 👩🏽‍💻';
    type(line);
    const item = await waitFor('the conversation in Unassigned', async () =>
      ((await olga.get('/api/v1/conversations?tab=unassigned')).body.items as any[]).find((i) => i.client.name === clientName),
    );
    expect(item).toMatchObject({ client: { name: clientName, channel: 'api' }, status: 'unassigned', lastMessage: { text: line, direction: 'in' } });
    conversationId = item.id;
    expect(await messagesOf(olga)).toMatchObject([{ direction: 'in', text: line }]);
  });

  it("D15: the operator's reply is printed by the connector, and its status becomes delivered", async () => {
    expect((await olga.post(`/api/v1/conversations/${conversationId}/take`)).status).toBe(200);
    const text = 'Уже в пути 🚚 — 今日発送します';
    const reply = await olga.post(`/api/v1/conversations/${conversationId}/messages`, { text });
    expect(reply.status).toBe(201);
    replyId = reply.body.id;
    await waitFor('the reply on stdout', () => printed().includes(`operator: ${text}`));
    const out = await waitFor('delivered', async () => (await messagesOf(olga)).find((m) => m.id === replyId && m.deliveryStatus === 'delivered'));
    expect(out).toMatchObject({ direction: 'out', text });
  });

  it('a redelivered reply is printed once, and the next one after it', async () => {
    const again = { messageId: replyId, channel: 'api' as const, channelId, externalClientId: clientId, text: 'Уже в пути 🚚 — 今日発送します' };
    const envelope = makeEnvelope('outbound.api', again, { source: 'test', partitionKey: clientKey(again) });
    await publishRaw('outbound.api', envelope, headersOf(envelope)['partition-key']!);
    expect((await olga.post(`/api/v1/conversations/${conversationId}/messages`, { text: 'Anything else? 🙂' })).status).toBe(201);
    await waitFor('the second reply', () => printed().includes('operator: Anything else? 🙂'));
    expect(printed()).toEqual(['operator: Уже в пути 🚚 — 今日発送します', 'operator: Anything else? 🙂']);
  });

  it('D33: an invalid inbound message lands in routing.inbound.dlq with its reason, and the next line still arrives', async () => {
    const key = `${channelId}:${clientId}`;
    const invalid = {
      id: '0193a2b1-0c2d-7e3f-9a4b-5c6d7e8f9a0b',
      type: 'inbound.api',
      version: 1,
      occurredAt: new Date().toISOString(),
      source: 'test',
      partitionKey: key,
      payload: { channel: 'api', channelId, externalClientId: clientId, clientName, externalMessageId: 'typo-1', sentAt: new Date().toISOString(), txt: 'lost?' },
    };
    await publishRaw('inbound.api', invalid, key);
    type('Still there? ✅');
    await waitFor('the next line', async () => (await messagesOf(olga)).some((m) => m.text === 'Still there? ✅'));

    const connection = await amqp.connect(env.amqpUrl);
    try {
      const channel = await connection.createChannel();
      const dead = await waitFor('the dead letter', () => channel.get('routing.inbound.dlq', { noAck: true }));
      expect(JSON.parse(dead.content.toString('utf8'))).toEqual(invalid);
      expect(dead.properties.headers?.['x-dead-letter-reason']).toBe('bad inbound.api payload: (root): unknown field(s): txt; (root): needs text or attachment');
    } finally {
      await connection.close();
    }
    expect((await messagesOf(olga)).map((m) => m.text)).not.toContain('lost?');
  });

  it('D33: a connector cannot speak for another channel: a body of another type, a foreign channel id and a report on a foreign message are refused', async () => {
    const support = (await admin.get('/api/v1/groups')).body.items.find((g: { name: string }) => g.name === 'Support').id;
    const webchatId = (await admin.post('/api/v1/channels', { type: 'webchat', name: 'Shop', groupId: support, settings: { allowedOrigins: [] } })).body.id;
    const ingest = new HttpClient(stack.ingestion.url);
    const visitor = (await ingest.post(`/ingest/v1/webchat/${webchatId}/sessions`, { name: 'Vera' })).body;
    expect((await ingest.bearer(visitor.token).post(`/ingest/v1/webchat/${webchatId}/messages`, { text: 'hi', clientMessageId: 'v-1' })).status).toBe(202);
    const shop = await waitFor('Vera listed', async () => ((await olga.get('/api/v1/conversations?tab=unassigned')).body.items as any[]).find((i) => i.client.name === 'Vera'));
    expect((await olga.post(`/api/v1/conversations/${shop.id}/take`)).status).toBe(200);
    const answer = (await olga.post(`/api/v1/conversations/${shop.id}/messages`, { text: 'Hello Vera' })).body;
    await waitFor('the answer sent', async () => ((await olga.get(`/api/v1/conversations/${shop.id}/messages`)).body.items as any[]).find((m) => m.id === answer.id && m.deliveryStatus === 'sent'));

    const asVera = { channelId: webchatId, externalClientId: visitor.visitorId, clientName: 'Vera', sentAt: new Date().toISOString() };
    const otherType = makeEnvelope('inbound.webchat', { ...asVera, channel: 'webchat', externalMessageId: 'spoof-1', text: 'spoofed by type' }, { source: 'test', partitionKey: 'spoof' });
    const foreignId = makeEnvelope('inbound.api', { ...asVera, channel: 'api', externalMessageId: 'spoof-2', text: 'spoofed by id' }, { source: 'test', partitionKey: 'spoof' });
    await publishRaw('inbound.api', otherType, 'spoof');
    await publishRaw('inbound.api', foreignId, 'spoof');
    const connection = await amqp.connect(env.amqpUrl);
    try {
      const channel = await connection.createChannel();
      const reasons = new Map<string, unknown>();
      await waitFor('both dead letters', async () => {
        const dead = await channel.get('routing.inbound.dlq', { noAck: true });
        if (dead) reasons.set(JSON.parse(dead.content.toString('utf8')).id, dead.properties.headers?.['x-dead-letter-reason']);
        return reasons.size === 2;
      });
      expect(Object.fromEntries(reasons)).toEqual({
        [otherType.id]: 'routing key inbound.api does not match the message type inbound.webchat',
        [foreignId.id]: `channel ${webchatId} is a webchat channel, not api`,
      });
    } finally {
      await connection.close();
    }

    // Reports of one partition are applied in order: once the connector's own report shows, the foreign one was handled before it.
    const foreignReport = makeEnvelope('delivery.api', { messageId: answer.id, status: 'failed', at: new Date().toISOString(), error: { code: 'spoof', title: 'Spoofed' } }, { source: 'test', partitionKey: 'reports' });
    const ownReport = makeEnvelope('delivery.api', { messageId: replyId, status: 'read', at: new Date().toISOString() }, { source: 'test', partitionKey: 'reports' });
    await publishRaw('delivery.api', foreignReport, 'reports');
    await publishRaw('delivery.api', ownReport, 'reports');
    await waitFor('the own report applied', async () => (await messagesOf(olga)).find((m) => m.id === replyId && m.deliveryStatus === 'read'));
    const shopMessages = (await olga.get(`/api/v1/conversations/${shop.id}/messages`)).body.items as any[];
    expect(shopMessages.map((m) => [m.text, m.deliveryStatus ?? null])).toEqual([['hi', null], ['Hello Vera', 'sent']]);
  });

  it('stops cleanly when its input ends', async () => {
    connector.stdin.end();
    const [code] = (await once(connector, 'exit')) as [number | null];
    expect({ code, stderr }).toEqual({ code: 0, stderr: expect.stringContaining('connected as') });
  });
});
