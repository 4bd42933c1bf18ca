import { Client } from 'pg';
import { countersInDatabase } from './support/counters-in-database';
import { createTestEnv, HttpClient, startService, startStack, StreamClient, waitFor, Workspace, type RunningService, type Stack, type TestEnv } from '@relaydesk/testing';

/** D14 counters in Redis and the operators' live stream (API.md "Real time"), through two gateways. */
describe('live counters and stream', () => {
  let env: TestEnv;
  let stack: Stack;
  let db: Client;
  let workspace: Workspace;
  let send: (client: string, text: string) => Promise<unknown>;
  let secondGateway: RunningService;
  const as: Record<string, HttpClient> = {};
  const ids: Record<string, string> = {};
  const streams: StreamClient[] = [];

  const open = async (name: string, options: { since?: string; via?: RunningService } = {}) => {
    const stream = await StreamClient.open((options.via ?? stack.gateway).url, { api: as[name]!, ...(options.since ? { since: options.since } : {}) });
    streams.push(stream);
    return stream;
  };
  const listed = (client: string, tab = 'all') =>
    waitFor(`${client} in ${tab}`, async () => (await as['root']!.get(`/api/v1/conversations?tab=${tab}`)).body.items.find((i: any) => i.client.name === client));
  const counters = async (name: string) => (await as[name]!.get('/api/v1/conversations/counters')).body;

  beforeAll(async () => {
    env = await createTestEnv();
    stack = await startStack(env.env, { PRESENCE_TTL_MS: '2000' });
    secondGateway = await startService('gateway', { ...stack.env, PRESENCE_TTL_MS: '2000', CONVERSATION_URL: stack.conversation.url, INGESTION_URL: stack.ingestion.url });
    workspace = await Workspace.open(stack);
    as['root'] = workspace.admin;
    for (const g of ['Sales', 'Support']) ids[g] = await workspace.group(g);
    for (const [name, group] of [['ann', 'Sales'], ['ben', 'Sales'], ['cid', 'Support']] as const) {
      const operator = await workspace.operator(name, [ids[group]!]);
      [ids[name], as[name]] = [operator.id, operator.api];
    }
    send = (await workspace.apiChannel(ids['Sales']!)).send;
    db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
  }, 120_000);

  afterEach(async () => {
    await Promise.all(streams.splice(0).map((s) => s.close()));
  });

  afterAll(async () => {
    await db?.end();
    await secondGateway?.stop();
    await stack?.stop();
    await env?.dispose();
  });

  it('D14: the counters follow a conversation from Unassigned to my inbox, read and closed, as PostgreSQL says', async () => {
    expect(await counters('ann')).toEqual({ mine: 0, unread: { unassigned: 0, mine: 0, closed: 0 } });
    await send('Dora', 'hello 👋');
    const item = await listed('Dora');
    await waitFor('unread in Unassigned', async () => (await counters('ann')).unread.unassigned === 1);
    expect(await counters('ben')).toEqual({ mine: 0, unread: { unassigned: 1, mine: 0, closed: 0 } });
    expect(await counters('cid')).toEqual({ mine: 0, unread: { unassigned: 0, mine: 0, closed: 0 } });

    expect((await as['ann']!.post(`/api/v1/conversations/${item.id}/take`)).status).toBe(200);
    await waitFor('taken into my inbox', async () => (await counters('ann')).mine === 1);
    expect(await counters('ann')).toEqual({ mine: 1, unread: { unassigned: 0, mine: 1, closed: 0 } });
    expect(await counters('ben')).toEqual({ mine: 0, unread: { unassigned: 0, mine: 0, closed: 0 } });

    expect((await as['ann']!.post(`/api/v1/conversations/${item.id}/read`)).status).toBe(200);
    await waitFor('read', async () => (await counters('ann')).unread.mine === 0);
    expect(await counters('ann')).toEqual(await countersInDatabase(db, ids['ann']!, [ids['Sales']!]));

    await send('Dora', 'one more thing');
    await waitFor('unread again', async () => (await counters('ann')).unread.mine === 1);
    expect((await as['ann']!.post(`/api/v1/conversations/${item.id}/close`)).status).toBe(200);
    await waitFor('closed', async () => (await counters('ann')).mine === 0);
    expect(await counters('ann')).toEqual(await countersInDatabase(db, ids['ann']!, [ids['Sales']!]));
  });

  it('D14: a super_admin counts the unread of every group', async () => {
    await send('Eve', 'hi');
    await waitFor('root counts Eve', async () => (await counters('root')).unread.unassigned >= 1);
    const { rows } = await db.query(`SELECT id FROM gateway.groups`);
    expect(await counters('root')).toEqual(await countersInDatabase(db, ids['root'] ?? '00000000-0000-0000-0000-000000000000', rows.map((r) => r.id), { allTab: true }));
  });

  it('a client message reaches the operators of its group at once, and no one else', async () => {
    const [ann, ben, cid] = [await open('ann'), await open('ben', { via: secondGateway }), await open('cid')];
    await send('Finn', 'where is my order? 📦');
    for (const stream of [ann, ben]) {
      const updated = await stream.next('conversation.updated', (d) => d.client?.name === 'Finn');
      expect(updated.data).toMatchObject({ visible: true, status: 'unassigned', unreadCount: 1, group: { id: ids['Sales'], name: 'Sales' }, lastMessage: { text: 'where is my order? 📦' } });
      const created = await stream.next('message.created', (d) => d.conversationId === updated.data.id);
      expect(created.data.message).toMatchObject({ direction: 'in', kind: 'text', text: 'where is my order? 📦', sender: { type: 'client' } });
      expect((await stream.next('counters.updated')).data.unread.unassigned).toBeGreaterThanOrEqual(1);
    }
    await send('Finn', 'still there?');
    await ann.next('message.created', (d) => d.message.text === 'still there?');
    expect(cid.of('conversation.updated', (d) => d.client?.name === 'Finn')).toEqual([]);
    expect(cid.of('message.created')).toEqual([]);
  });

  it('D7: when one operator takes a conversation it leaves the other operators\' Unassigned at once, on both gateways', async () => {
    await send('Gus', 'help');
    const item = await listed('Gus', 'unassigned');
    const [ann, ben] = [await open('ann'), await open('ben', { via: secondGateway })];
    expect((await as['ann']!.post(`/api/v1/conversations/${item.id}/take`)).status).toBe(200);
    const gone = await ben.next('conversation.updated', (d) => d.id === item.id);
    expect(gone.data).toEqual({ id: item.id, visible: false, by: { id: ids['ann'], name: 'ann' } });
    const mine = await ann.next('conversation.updated', (d) => d.id === item.id);
    expect(mine.data).toMatchObject({ visible: true, status: 'in_progress', assignee: { id: ids['ann'], name: 'ann' } });
    expect((await ann.next('counters.updated', (d) => d.mine >= 1)).data).toEqual(await countersInDatabase(db, ids['ann']!, [ids['Sales']!]));
  });

  it('D34: an operator moved to another group stops getting the old one at once, on any gateway; deactivated, his socket closes', async () => {
    const dan = await workspace.operator('dan', [ids['Sales']!]);
    as['dan'] = dan.api;
    const [danStream, ann] = [await open('dan', { via: secondGateway }), await open('ann')];
    expect((await as['root']!.patch(`/api/v1/operators/${dan.id}`, { groupIds: [ids['Support']] })).status).toBe(200);
    const updated = await danStream.next('operator.updated');
    expect(updated.data).toMatchObject({ id: dan.id, role: 'operator', groupIds: [ids['Support']] });
    expect((await danStream.next('counters.updated')).data).toEqual(await countersInDatabase(db, dan.id, [ids['Support']!]));

    await send('Jon', 'for Sales only');
    await ann.next('message.created', (d) => d.message.text === 'for Sales only');
    expect(danStream.of('message.created', (d) => d.message.text === 'for Sales only')).toEqual([]);

    expect((await as['root']!.patch(`/api/v1/operators/${dan.id}`, { active: false })).status).toBe(200);
    // Without word of the change, the socket would stay open until its next heartbeat refresh (30 s).
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([danStream.closed, new Promise((resolve) => (timer = setTimeout(() => resolve('still open'), 10_000)))]);
    clearTimeout(timer);
    expect(closed).toEqual({ code: 4401, reason: 'This operator has been deactivated' });
  });

  it('logging out closes that session\'s stream at once on any gateway, and only it; logging out everywhere closes the rest', async () => {
    const eli = await workspace.operator('eli', [ids['Sales']!]);
    const [laptop, phone, tablet] = [eli.api, await workspace.login('eli@relaydesk.test', 'eli-password'), await workspace.login('eli@relaydesk.test', 'eli-password')];
    const within10s = <T>(closed: Promise<T>) => Promise.race([closed, new Promise((resolve) => setTimeout(() => resolve('still open'), 10_000).unref())]);
    const [laptopStream, phoneStream, tabletStream] = [
      await StreamClient.open(secondGateway.url, { api: laptop }),
      await StreamClient.open(stack.gateway.url, { api: phone }),
      await StreamClient.open(stack.gateway.url, { api: tablet }),
    ];
    streams.push(laptopStream, phoneStream, tabletStream);

    expect((await laptop.post('/api/v1/auth/logout')).status).toBe(204);
    expect(await within10s(laptopStream.closed)).toEqual({ code: 4401, reason: 'This access token was logged out; log in again' });
    expect((await laptop.get('/api/v1/me')).status).toBe(401);
    await send('Kim', 'still for Sales');
    await phoneStream.next('message.created', (d) => d.message.text === 'still for Sales');

    expect((await phone.post('/api/v1/auth/logout', { everywhere: true })).status).toBe(204);
    for (const stream of [phoneStream, tabletStream]) expect(await within10s(stream.closed)).toMatchObject({ code: 4401 });
    expect((await tablet.get('/api/v1/me')).status).toBe(401);
  });

  it('D18: a note reaches the operators who see the conversation, and counts as unread for nobody', async () => {
    await send('Hal', 'question');
    const item = await listed('Hal', 'unassigned');
    await as['ann']!.post(`/api/v1/conversations/${item.id}/take`);
    await as['ann']!.post(`/api/v1/conversations/${item.id}/read`);
    const ann = await open('ann');
    await as['ann']!.post(`/api/v1/conversations/${item.id}/notes`, { text: 'VIP, be nice' });
    const note = await ann.next('message.created', (d) => d.conversationId === item.id);
    expect(note.data.message).toMatchObject({ kind: 'note', text: 'VIP, be nice', sender: { type: 'operator', id: ids['ann'], name: 'ann' } });
    const sameChange = ann.frames.find((f) => f.type === 'conversation.updated' && f.id === note.id);
    expect(sameChange?.data).toMatchObject({ id: item.id, unreadCount: 0 });
  });

  it('a reconnect with the last frame id gets what it missed; one from too long ago or the future gets reload', async () => {
    const first = await open('ben');
    await send('Ida', 'one');
    await first.next('message.created', (d) => d.message.text === 'one');
    const resumeAt = first.lastId!;
    await first.close();
    await send('Ida', 'two');
    await send('Ida', 'three');
    const item = await listed('Ida', 'unassigned');
    await waitFor('three stored', async () => (await as['root']!.get(`/api/v1/conversations/${item.id}`)).body.unreadCount === 3);

    const again = await open('ben', { since: resumeAt, via: secondGateway });
    expect((await again.next('message.created', (d) => d.message.text === 'two')).data.conversationId).toBe(item.id);
    await again.next('message.created', (d) => d.message.text === 'three');
    expect(again.of('message.created', (d) => d.message.text === 'one')).toEqual([]);

    const future = await open('ben', { since: '99999999999999-0' });
    await future.next('reload');
    const ancient = await open('ben', { since: '1-0' });
    await ancient.next('reload');
  });

  it('presence: online while a socket beats, away when it says so, offline when it closes or its gateway dies', async () => {
    const presenceOf = async (name: string) => (await as['root']!.get('/api/v1/operators')).body.items.find((o: any) => o.id === ids[name]).presence;
    expect(await presenceOf('cid')).toBe('offline');
    const watcher = await open('root');
    const annWatches = await open('ann');
    const cid = await open('cid');
    await waitFor('cid online', async () => (await presenceOf('cid')) === 'online');
    await watcher.next('presence.updated', (d) => d.operatorId === ids['cid'] && d.presence === 'online');
    cid.send({ type: 'ping', status: 'away' });
    await cid.next('pong');
    expect(await presenceOf('cid')).toBe('away');
    await cid.close();
    await waitFor('cid offline', async () => (await presenceOf('cid')) === 'offline');
    await watcher.next('presence.updated', (d) => d.operatorId === ids['cid'] && d.presence === 'offline');
    // D21: whose presence goes to an operator is whom GET /operators lists for him: his groups' people.
    const ben = await open('ben');
    await annWatches.next('presence.updated', (d) => d.operatorId === ids['ben'] && d.presence === 'online');
    expect(annWatches.of('presence.updated', (d) => d.operatorId === ids['cid'])).toEqual([]);
    expect((await as['ann']!.get('/api/v1/operators')).body.items.map((o: any) => o.id)).not.toContain(ids['cid']);
    await ben.close();

    // A gateway that dies says nothing: the heartbeat's time to live runs out and another replica sweeps it.
    const doomed = await startService('gateway', { ...stack.env, PRESENCE_TTL_MS: '2000', CONVERSATION_URL: stack.conversation.url, INGESTION_URL: stack.ingestion.url });
    const orphan = await StreamClient.open(doomed.url, { api: as['cid']! });
    await waitFor('cid online again', async () => (await presenceOf('cid')) === 'online');
    await doomed.kill();
    await orphan.closed;
    await waitFor('cid offline after the time to live', async () => (await presenceOf('cid')) === 'offline', { timeoutMs: 20_000 });
  });

  it('bad input: a bad token, a bad resume point, another path, a junk frame, a flood and an oversized frame', async () => {
    const { url } = stack.gateway;
    expect(await StreamClient.refusal(url, '/api/v1/stream?token=nonsense')).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    expect(await StreamClient.refusal(url, '/api/v1/stream')).toMatchObject({ status: 401 });
    expect(await StreamClient.refusal(url, `/api/v1/stream?token=${as['ann']!.token}&since=yesterday`)).toMatchObject({ status: 400, body: { error: { code: 'validation_failed' } } });
    expect(await StreamClient.refusal(url, `/api/v1/elsewhere?token=${as['ann']!.token}`)).toMatchObject({ status: 404 });
    const plain = await as['ann']!.get('/api/v1/stream');
    expect([plain.status, plain.body.error.code]).toEqual([426, 'upgrade_required']);

    const viaProtocol = await StreamClient.open(url, { api: as['ann']!, viaProtocol: true });
    streams.push(viaProtocol);
    viaProtocol.send('not json');
    expect((await viaProtocol.next('error')).data.code).toBe('validation_failed');
    viaProtocol.send({ type: 'ping' });
    await viaProtocol.next('pong');

    const flood = await open('ann');
    for (let i = 0; i < 100; i++) flood.send({ type: 'ping' });
    expect((await flood.closed).code).toBe(1008);

    const big = await open('ann');
    big.send({ type: 'ping', padding: 'x'.repeat(10_000) });
    expect((await big.closed).code).toBe(1009);
    expect((await as['ann']!.get('/ready')).status).toBe(200);
  });

  it('D8, D15: the holder\'s reply, sent once however often the UI retries, and then its delivery status are pushed to him', async () => {
    const origin = 'https://shop.example';
    const webchat = (await as['root']!.post('/api/v1/channels', { type: 'webchat', name: 'Site chat', groupId: ids['Sales'], settings: { allowedOrigins: [origin] } })).body;
    const ingest = new HttpClient(stack.ingestion.url).with({ origin });
    const session = (await ingest.post(`/ingest/v1/webchat/${webchat.id}/sessions`, { name: 'Lea' })).body;
    await ingest.bearer(session.token).post(`/ingest/v1/webchat/${webchat.id}/messages`, { text: 'anyone?', clientMessageId: 'lea-1' });
    const item = await listed('Lea', 'unassigned');
    await as['ann']!.post(`/api/v1/conversations/${item.id}/take`);
    const ann = await open('ann');
    const reply = await as['ann']!.post(`/api/v1/conversations/${item.id}/messages`, { text: 'here 🙋' }, { 'idempotency-key': 'retry-1' });
    expect(reply.status).toBe(201);
    // D15: the UI retrying on a weak connection: the same message answers again, stored and sent once.
    const retried = await as['ann']!.post(`/api/v1/conversations/${item.id}/messages`, { text: 'here 🙋' }, { 'idempotency-key': 'retry-1' });
    expect([retried.status, retried.body.id, retried.headers.get('idempotent-replayed')]).toEqual([201, reply.body.id, 'true']);
    const history = (await as['ann']!.get(`/api/v1/conversations/${item.id}/messages`)).body.items;
    expect(history.filter((m: any) => m.text === 'here 🙋')).toHaveLength(1);
    const created = await ann.next('message.created', (d) => d.message.id === reply.body.id);
    expect(created.data.message).toMatchObject({ direction: 'out', text: 'here 🙋', sender: { type: 'operator', id: ids['ann'], name: 'ann' } });
    const status = await ann.next('message.updated', (d) => d.messageId === reply.body.id);
    expect(status.data).toMatchObject({ conversationId: item.id, deliveryStatus: 'sent' });
    expect(ann.of('message.created', (d) => d.message.id === reply.body.id)).toEqual([]);
    const { rows } = await db.query('SELECT count(*)::int AS n FROM ingestion.webchat_reply WHERE message_id = $1', [reply.body.id]);
    expect(rows[0].n).toBe(1);
  });

  it('D27: a blacklisted client\'s messages are pushed to no operator', async () => {
    await send('Jan', 'first');
    const item = await listed('Jan', 'unassigned');
    expect((await as['root']!.post(`/api/v1/conversations/${item.id}/blacklist`)).status).toBe(200);
    const ann = await open('ann');
    await send('Jan', 'blocked words');
    await send('Kim', 'a neighbour');
    await ann.next('message.created', (d) => d.message.text === 'a neighbour');
    expect(ann.of('message.created', (d) => d.message.text === 'blocked words')).toEqual([]);
    expect(ann.of('conversation.updated', (d) => d.id === item.id && d.visible)).toEqual([]);
  });
});
