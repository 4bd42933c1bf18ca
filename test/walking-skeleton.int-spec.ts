import { createTestEnv, HttpClient, startStack, waitFor, type Stack, type TestEnv } from '@relaydesk/testing';

/**
 * One client message through the real system: ingestion → inbound.<channel> → routing →
 * conversation → the gateway's lists, moves, replies, delivery statuses and log.
 */
describe('walking skeleton', () => {
  let env: TestEnv;
  let stack: Stack;
  let api: HttpClient;
  let ingest: HttpClient;
  let admin: HttpClient;
  const ops: Record<'ann' | 'ben' | 'cid', HttpClient> = {} as never;
  const ids: Record<string, string> = {};
  const apiKey = 'skeleton-api-key-0123456789abcdef';
  const origin = 'https://shop.example';

  async function login(email: string, password: string): Promise<HttpClient> {
    const res = await api.post('/api/v1/auth/login', { email, password });
    expect(res.status).toBe(200);
    return api.bearer(res.body.accessToken);
  }

  beforeAll(async () => {
    env = await createTestEnv();
    stack = await startStack(env.env);
    api = new HttpClient(stack.gateway.url);
    ingest = new HttpClient(stack.ingestion.url);
    admin = await login(stack.admin.email, stack.admin.password);
    for (const name of ['Sales', 'Support']) ids[name] = (await admin.post('/api/v1/groups', { name })).body.id;
    const people = { ann: ['Sales'], ben: ['Sales'], cid: ['Support'] } as const;
    for (const [name, groups] of Object.entries(people)) {
      const created = await admin.post('/api/v1/operators', { name: name.toUpperCase(), email: `${name}@relaydesk.test`, password: `${name}-password`, role: 'operator', groupIds: groups.map((g) => ids[g]) });
      expect(created.status).toBe(201);
      ids[name] = created.body.id;
      ops[name as keyof typeof ops] = await login(`${name}@relaydesk.test`, `${name}-password`);
    }
    const webchat = await admin.post('/api/v1/channels', { type: 'webchat', name: 'Site chat', groupId: ids['Sales'], settings: { allowedOrigins: [origin] } });
    expect(webchat.status).toBe(201);
    ids['webchat'] = webchat.body.id;
    const connector = await admin.post('/api/v1/channels', { type: 'api', name: 'Connector', groupId: ids['Sales'], settings: { apiKey } });
    expect(connector.status).toBe(201);
    expect(JSON.stringify(connector.body)).not.toContain(apiKey);
    ids['api'] = connector.body.id;
  }, 120_000);

  afterAll(async () => {
    if (process.env['DEBUG_OUTPUT']) for (const s of [stack.ingestion, stack.conversation, stack.routing]) console.log(s.name, s.output());
    await stack?.stop();
    await env?.dispose();
  });

  const unassignedOf = async (who: HttpClient) => (await who.get('/api/v1/conversations?tab=unassigned')).body.items as any[];

  it('D6, D13, D11, D20: client messages (Cyrillic, emoji) from the generic endpoint and the webchat land in Unassigned of the channel group', async () => {
    const sent = await ingest.bearer(apiKey).post('/ingest/v1/messages', {
      channel: 'api', channelId: ids['api'], externalClientId: 'alice', clientName: 'Alice', externalMessageId: 'alice-1', sentAt: new Date().toISOString(), text: 'Hello from the connector 🚀',
    });
    expect(sent.status).toBe(200);
    // Two channels reach the conversation service through different partitions: Bob is sent once Alice is stored, so he is the newer.
    await waitFor('Alice listed', async () => (await unassignedOf(ops.ann)).length === 1);
    const session = await ingest.with({ origin }).post(`/ingest/v1/webchat/${ids['webchat']}/sessions`, { name: 'Bob' });
    expect(session.status).toBe(201);
    expect(session.headers.get('access-control-allow-origin')).toBe(origin);
    const visitor = ingest.with({ origin }).bearer(session.body.token);
    ids['visitorToken'] = session.body.token;
    expect((await visitor.post(`/ingest/v1/webchat/${ids['webchat']}/messages`, { text: 'Где мой заказ? 📦', clientMessageId: 'b-1' })).status).toBe(202);

    const items = await waitFor('both listed', async () => {
      const list = await unassignedOf(ops.ann);
      return list.length === 2 ? list : undefined;
    });
    const bob = items.find((i) => i.client.name === 'Bob');
    expect(bob).toMatchObject({
      client: { name: 'Bob', channel: 'webchat' },
      lastMessageByOperator: false,
      assignee: null,
      unreadCount: 1,
      group: { id: ids['Sales'], name: 'Sales' },
      status: 'unassigned',
      lastMessage: { text: 'Где мой заказ? 📦', direction: 'in' },
    });
    expect(Date.parse(bob.listedAt)).toBeLessThanOrEqual(Date.now());
    expect(items.map((i) => i.client.name)).toEqual(['Bob', 'Alice']);
    ids['bobConversation'] = bob.id;
    ids['aliceConversation'] = items.find((i) => i.client.name === 'Alice').id;
  });

  it('D3: an operator of another group does not see them; the super_admin does', async () => {
    expect(await unassignedOf(ops.cid)).toEqual([]);
    expect((await ops.cid.get(`/api/v1/conversations/${ids['bobConversation']}`)).status).toBe(404);
    expect(await unassignedOf(admin)).toHaveLength(2);
  });

  it('D5: the same externalMessageId twice is stored once', async () => {
    const again = await ingest.bearer(apiKey).post('/ingest/v1/messages', {
      channel: 'api', channelId: ids['api'], externalClientId: 'alice', clientName: 'Alice', externalMessageId: 'alice-1', sentAt: new Date().toISOString(), text: 'Hello from the connector 🚀',
    });
    expect(again.status).toBe(200);
    expect(again.body.duplicate).toBe(true);
    const messages = (await ops.ann.get(`/api/v1/conversations/${ids['aliceConversation']}/messages`)).body.items;
    expect(messages).toHaveLength(1);
  });

  it('D7: two operators take at once, one gets 200 and the other 409', async () => {
    const [a, b] = await Promise.all([ops.ann.post(`/api/v1/conversations/${ids['bobConversation']}/take`), ops.ben.post(`/api/v1/conversations/${ids['bobConversation']}/take`)]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    const winner = a.status === 200 ? 'ann' : 'ben';
    // The loser hears who won, as the stream tells those who saw the conversation go.
    expect(loser.body.error).toEqual({ code: 'conflict', message: `${winner.toUpperCase()} has already taken this conversation`, takenBy: { id: ids[winner], name: winner.toUpperCase() } });
    ids['winner'] = winner;
    expect(await unassignedOf(ops.ann)).toHaveLength(1);
    const mine = (await ops[winner].get('/api/v1/conversations?tab=mine')).body.items;
    expect(mine).toMatchObject([{ id: ids['bobConversation'], status: 'in_progress', assignee: { id: ids[winner], name: winner.toUpperCase() } }]);
  });

  it('D14: viewing a conversation resets its unread count', async () => {
    const holder = ops[ids['winner'] as 'ann'];
    const before = (await holder.get(`/api/v1/conversations/${ids['bobConversation']}`)).body;
    expect(before.unreadCount).toBe(1);
    expect((await holder.post(`/api/v1/conversations/${ids['bobConversation']}/read`)).status).toBe(200);
    expect((await holder.get(`/api/v1/conversations/${ids['bobConversation']}`)).body.unreadCount).toBe(0);
  });

  it('D8, D15, D20: the holder replies with emoji intact; the webchat delivers it and the status comes back on the message', async () => {
    const holder = ops[ids['winner'] as 'ann'];
    const other = ids['winner'] === 'ann' ? ops.ben : ops.ann;
    expect((await other.post(`/api/v1/conversations/${ids['bobConversation']}/messages`, { text: 'not mine' })).status).toBe(404);
    const reply = await holder.post(`/api/v1/conversations/${ids['bobConversation']}/messages`, { text: 'Уже в пути! 🚚' }, { 'idempotency-key': 'reply-1' });
    expect(reply.status).toBe(201);
    const replayed = await holder.post(`/api/v1/conversations/${ids['bobConversation']}/messages`, { text: 'Уже в пути! 🚚' }, { 'idempotency-key': 'reply-1' });
    expect(replayed.body.id).toBe(reply.body.id);
    const delivered = await waitFor('delivery status', async () => {
      const items = (await holder.get(`/api/v1/conversations/${ids['bobConversation']}/messages`)).body.items;
      const out = items.find((m: any) => m.id === reply.body.id);
      return out?.deliveryStatus === 'sent' ? items : undefined;
    });
    expect(delivered.filter((m: any) => m.direction === 'out')).toHaveLength(1);
    expect(delivered.at(-1)).toMatchObject({ text: 'Уже в пути! 🚚', sender: { type: 'operator', name: ids['winner']!.toUpperCase() } });
    const [item] = (await holder.get('/api/v1/conversations?tab=mine')).body.items;
    expect(item).toMatchObject({ lastMessageByOperator: true, lastMessage: { direction: 'out' } });
  });

  it('D9: closing lists it in Closed of the closer at its closing time, and nowhere for others', async () => {
    const holder = ops[ids['winner'] as 'ann'];
    const other = ids['winner'] === 'ann' ? ops.ben : ops.ann;
    const closed = await holder.post(`/api/v1/conversations/${ids['bobConversation']}/close`);
    expect(closed.status).toBe(200);
    const [item] = (await holder.get('/api/v1/conversations?tab=closed')).body.items;
    expect(item).toMatchObject({ id: ids['bobConversation'], status: 'closed' });
    expect(item.listedAt).toBe(closed.body.listedAt);
    expect((await other.get('/api/v1/conversations?tab=closed')).body.items).toEqual([]);
    expect((await holder.get('/api/v1/conversations?tab=mine')).body.items).toEqual([]);
  });

  it('D6: a new client message sends a closed conversation back to Unassigned', async () => {
    const visitor = ingest.with({ origin }).bearer(ids['visitorToken']!);
    expect((await visitor.post(`/ingest/v1/webchat/${ids['webchat']}/messages`, { text: 'Ещё вопрос', clientMessageId: 'b-2' })).status).toBe(202);
    const back = await waitFor('back in unassigned', async () => (await unassignedOf(ops.ben)).find((i) => i.id === ids['bobConversation']));
    expect(back).toMatchObject({ status: 'unassigned', assignee: null, lastMessage: { text: 'Ещё вопрос' } });
  });

  it('D12: the log shows every move with who, from, to and when', async () => {
    const log = (await admin.get(`/api/v1/conversations/${ids['bobConversation']}/log`)).body.items;
    const winnerName = ids['winner']!.toUpperCase();
    expect(log.map((e: any) => [e.action, e.actor?.name ?? null, e.from?.status ?? null, e.to.status])).toEqual([
      ['created', null, null, 'unassigned'],
      ['taken', winnerName, 'unassigned', 'in_progress'],
      ['closed', winnerName, 'in_progress', 'closed'],
      ['unassigned', null, 'closed', 'unassigned'],
    ]);
    for (const e of log) expect(Date.parse(e.at)).not.toBeNaN();
    // A move's from and to are the conversation's state, nothing more of it.
    for (const e of log) for (const state of [e.from, e.to].filter(Boolean)) expect(Object.keys(state).sort()).toEqual(['assigneeId', 'groupId', 'status']);
  });

  it('serves its OpenAPI document, generated from the contracts', async () => {
    const doc = (await api.get('/api/v1/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/v1/conversations/{id}/take'].post).toBeDefined();
    expect(doc.paths['/api/v1/channels'].post.requestBody.content['application/json'].schema).toBeDefined();
  });

  it('D29: the paid outgoing-WhatsApp feature is off unless the installation switches it on, and its endpoints answer 404', async () => {
    expect((await ops.ann.get('/api/v1/features')).body).toEqual({ outgoingWhatsApp: false });
    expect((await ops.ann.post('/api/v1/outgoing/check', { phone: '+4915112345678' })).status).toBe(404);
  });

  it('every service stops on SIGTERM with exit code 0, each of its shutdown steps done', async () => {
    const services = [stack.gateway, stack.ingestion, stack.routing, stack.conversation, stack.search, stack.notification, stack.analytics];
    for (const service of services) {
      expect({ service: service.name, exitCode: await service.stop() }).toEqual({ service: service.name, exitCode: 0 });
      expect(service.output()).not.toContain('shutdown step failed');
    }
  });
});
