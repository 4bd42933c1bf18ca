import { createHmac, randomUUID } from 'node:crypto';
import { errorBody, IDENTITY_HEADER, type CallerIdentity } from '@relaydesk/contracts';
import { internalRequest, signIdentity, signToken, type InternalRequest } from '@relaydesk/service-kit';
import { createTestEnv, HttpClient, startStack, waitFor, type Answer, type Stack, type TestEnv } from '@relaydesk/testing';
import jwt from 'jsonwebtoken';
import { Client } from 'pg';

/**
 * D33, D34 against the real stack: every endpoint of the skeleton answers bad input, bad
 * credentials and what the caller may not see or do with a clear 4xx in the API.md error shape,
 * naming the bad field, never a 500, and writes nothing half-way.
 */

type Method = 'GET' | 'POST' | 'PATCH';
type Expected = [status: number, code: string, names?: string | RegExp];

const escape = (s: string): RegExp => new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

/** A 4xx in the API.md shape `{error:{code,message,details?}}`; `names` must appear in its message or details. */
function expectError(answer: Answer, [status, code, names]: Expected, label = ''): void {
  const shape = errorBody.safeParse(answer.body);
  expect({ label, status: answer.status, code: (answer.body as { error?: { code?: unknown } } | null)?.error?.code, shape: shape.success }).toEqual({ label, status, code, shape: true });
  expect({ label, keys: Object.keys((answer.body ?? {}) as object) }).toEqual({ label, keys: ['error'] });
  if (names !== undefined && shape.success) {
    const { message, details = [] } = shape.data.error;
    const text = [message, ...details.flatMap((d) => [d.path, d.message])].join('\n');
    expect({ label, text }).toEqual({ label, text: expect.stringMatching(typeof names === 'string' ? escape(names) : names) });
  }
}

const big = (): { name: string } => ({ name: 'x'.repeat(300 * 1024) });
const iso = (): string => new Date().toISOString();

describe('bad input (D33) and what one may not see or do (D34)', () => {
  let env: TestEnv;
  let stack: Stack;
  let db: Client;
  let api: HttpClient;
  let ingest: HttpClient;
  let admin: HttpClient;
  let ann: HttpClient; // Sales, no permissions: holds alice's conversation
  let ben: HttpClient; // Sales, no permissions
  let vera: HttpClient; // Sales, conversations.view_all
  let cid: HttpClient; // Support, no permissions
  let adminToken: string;
  let adminId: string;
  let annId: string;
  let sales: string;
  let support: string;
  let apiChannel: string;
  let webchatA: string; // Sales, allows `origin`
  let webchatB: string; // Support
  let alice: string; // conversation (api, Sales) taken by ann
  let carol: string; // conversation (api, Sales) unassigned
  let bob: string; // conversation (webchat B, Support) unassigned
  let visitorA: { visitorId: string; token: string };
  let visitorB: { visitorId: string; token: string };
  let secret: string;
  let addresses = 0;
  const apiKey = `bad-input-api-key-${randomUUID()}`;
  const origin = 'https://shop.example';

  const sql = async <T>(text: string, params: unknown[] = []): Promise<T[]> => (await db.query(text, params)).rows as T[];
  const from = (client: HttpClient): HttpClient => client.with({ 'x-forwarded-for': `198.51.100.${++addresses % 250}` });

  async function login(email: string, password: string): Promise<{ client: HttpClient; token: string; id: string }> {
    const res = await from(api).post('/api/v1/auth/login', { email, password });
    expect(res.status).toBe(200);
    return { client: api.bearer(res.body.accessToken), token: res.body.accessToken, id: res.body.operator.id };
  }

  async function makeOperator(name: string, groupIds: string[], permissions: string[] = []): Promise<{ client: HttpClient; id: string }> {
    const email = `${name}-${randomUUID().slice(0, 6)}@relaydesk.test`;
    const created = await admin.post('/api/v1/operators', { name, email, password: `${name}-password`, role: 'operator', groupIds, permissions });
    expect(created.status).toBe(201);
    const { client, id } = await login(email, `${name}-password`);
    return { client, id };
  }

  const sendInbound = (externalClientId: string, externalMessageId: string, over: Record<string, unknown> = {}) =>
    ingest.bearer(apiKey).post('/ingest/v1/messages', {
      channel: 'api', channelId: apiChannel, externalClientId, clientName: `Client ${externalClientId}`, externalMessageId, sentAt: iso(), text: `hello from ${externalClientId}`, ...over,
    });

  const storedMessage = (externalMessageId: string) =>
    waitFor(`${externalMessageId} stored`, async () => (await sql('SELECT id FROM conversation.message WHERE external_message_id = $1', [externalMessageId]))[0], { timeoutMs: 20_000 });

  const conversationOf = async (externalClientId: string): Promise<string> => {
    const rows = await sql<{ id: string }>('SELECT c.id FROM conversation.conversation c JOIN conversation.client cl ON cl.id = c.client_id WHERE cl.external_id = $1', [externalClientId]);
    return rows[0]!.id;
  };

  beforeAll(async () => {
    env = await createTestEnv();
    stack = await startStack(env.env);
    secret = env.env['INTERNAL_SECRET']!;
    db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
    api = new HttpClient(stack.gateway.url);
    ingest = new HttpClient(stack.ingestion.url);
    const root = await login(stack.admin.email, stack.admin.password);
    admin = root.client;
    adminToken = root.token;
    adminId = root.id;
    sales = (await admin.post('/api/v1/groups', { name: 'Sales' })).body.id;
    support = (await admin.post('/api/v1/groups', { name: 'Support' })).body.id;
    const annMade = await makeOperator('ann', [sales]);
    ann = annMade.client;
    annId = annMade.id;
    ben = (await makeOperator('ben', [sales])).client;
    vera = (await makeOperator('vera', [sales], ['conversations.view_all'])).client;
    cid = (await makeOperator('cid', [support])).client;

    const created = await Promise.all([
      admin.post('/api/v1/channels', { type: 'api', name: 'Connector', groupId: sales, settings: { apiKey } }),
      admin.post('/api/v1/channels', { type: 'webchat', name: 'Shop chat', groupId: sales, settings: { allowedOrigins: [origin] } }),
      admin.post('/api/v1/channels', { type: 'webchat', name: 'Help chat', groupId: support, settings: { allowedOrigins: [] } }),
    ]);
    for (const c of created) expect(c.status).toBe(201);
    [apiChannel, webchatA, webchatB] = created.map((c) => c.body.id as string) as [string, string, string];

    visitorA = (await ingest.with({ origin }).post(`/ingest/v1/webchat/${webchatA}/sessions`, { name: 'Vic' })).body;
    visitorB = (await ingest.post(`/ingest/v1/webchat/${webchatB}/sessions`, { name: 'Bob' })).body;
    expect(visitorB.token).toEqual(expect.any(String));

    // Routing learns channels from the bus: a message may wait for it, so send, then wait for all.
    expect((await sendInbound('alice', 'alice-1')).status).toBe(200);
    expect((await sendInbound('carol', 'carol-1')).status).toBe(200);
    expect((await ingest.bearer(visitorB.token).post(`/ingest/v1/webchat/${webchatB}/messages`, { text: 'Help!', clientMessageId: 'b-1' })).status).toBe(202);
    // One pg client runs one query at a time: these wait in turn.
    for (const id of ['alice-1', 'carol-1', `${visitorB.visitorId}:b-1`]) await storedMessage(id);
    [alice, carol, bob] = [await conversationOf('alice'), await conversationOf('carol'), await conversationOf(visitorB.visitorId)];
    expect((await ann.post(`/api/v1/conversations/${alice}/take`)).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    if (process.env['DEBUG_OUTPUT']) for (const s of [stack.gateway, stack.ingestion, stack.conversation, stack.routing]) console.log(s.name, s.output());
    await db?.end();
    await stack?.stop();
    await env?.dispose();
  });

  describe('gateway: login and access tokens', () => {
    it('D33: POST /auth/login refuses unknown fields, wrong types and missing fields, naming each', async () => {
      const cases: [unknown, string | RegExp][] = [
        [{ email: stack.admin.email, password: 'x', remember: true }, 'remember'],
        [{ email: 42, password: 'x' }, 'email'],
        [{ email: stack.admin.email, password: null }, 'password'],
        [{ email: stack.admin.email }, 'password'],
        [{ password: 'x' }, 'email'],
        [{ email: 'not an email', password: 'x' }, 'email'],
        [{ email: stack.admin.email, password: '' }, 'password'],
        [{ email: stack.admin.email, password: 'p'.repeat(201) }, 'password'],
        [[stack.admin.email, 'x'], '(root)'],
      ];
      for (const [body, names] of cases) expectError(await from(api).post('/api/v1/auth/login', body), [400, 'validation_failed', names], JSON.stringify(body));
    });

    it('D33: POST /auth/login refuses a body that is not JSON, none at all, and one over 256kb with 413', async () => {
      expectError(await from(api).send('POST', '/api/v1/auth/login', undefined, {}, '{"email": '), [400, 'validation_failed', /JSON/]);
      expectError(await from(api).send('POST', '/api/v1/auth/login', undefined, {}, "{'email': 'a@b.c'}"), [400, 'validation_failed', /JSON/]);
      expectError(await from(api).send('POST', '/api/v1/auth/login'), [400, 'validation_failed']);
      expectError(await from(api).post('/api/v1/auth/login', { email: stack.admin.email, password: 'x'.repeat(300 * 1024) }), [413, 'payload_too_large']);
    });

    it('D33: every /api/v1 endpoint answers 401 without a token, or with a malformed, expired, forged, tampered or orphaned one', async () => {
      const jwtSecret = env.env['JWT_SECRET']!;
      const [head, , signature] = adminToken.split('.');
      const tamperedPayload = Buffer.from(JSON.stringify({ sub: randomUUID(), exp: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url');
      const tokens: [string, Record<string, string>, RegExp][] = [
        ['no header', {}, /Missing access token/],
        ['basic auth', { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` }, /Malformed/],
        ['bearer without token', { authorization: 'Bearer' }, /Malformed/],
        ['garbage', { authorization: 'Bearer garbage' }, /invalid/],
        ['expired', { authorization: `Bearer ${jwt.sign({ sub: adminId, exp: Math.floor(Date.now() / 1000) - 60 }, jwtSecret, { algorithm: 'HS256' })}` }, /expired/],
        ['other secret', { authorization: `Bearer ${jwt.sign({}, 'somebody else secret 123', { algorithm: 'HS256', subject: adminId, expiresIn: 600 })}` }, /invalid/],
        ['alg none', { authorization: `Bearer ${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: adminId, exp: 9_999_999_999 })).toString('base64url')}.` }, /invalid/],
        ['tampered payload', { authorization: `Bearer ${head}.${tamperedPayload}.${signature}` }, /invalid/],
        ['unknown operator', { authorization: `Bearer ${jwt.sign({}, jwtSecret, { algorithm: 'HS256', subject: randomUUID(), expiresIn: 600 })}` }, /no longer exists/],
      ];
      const groupsBefore = (await admin.get('/api/v1/groups')).body.items.length;
      const channelsBefore = (await admin.get('/api/v1/channels')).body.items.length;
      const endpoints: [Method, string, unknown?][] = [
        ['GET', '/me'],
        ['GET', '/operators'],
        ['POST', '/operators', { name: 'Eve', email: 'eve@example.com', password: 'eve password', role: 'super_admin' }],
        ['PATCH', `/operators/${adminId}`, { role: 'operator' }],
        ['GET', '/groups'],
        ['POST', '/groups', { name: 'Intruders' }],
        ['GET', '/channels'],
        ['POST', '/channels', { type: 'api', name: 'Intruder', groupId: sales, settings: { apiKey: `intruder-key-${randomUUID()}` } }],
        ['PATCH', `/channels/${apiChannel}`, { name: 'Hijacked' }],
        ['GET', '/conversations?tab=all'],
        ['GET', `/conversations/${alice}`],
        ...(['take', 'close', 'unassign', 'reopen'] as const).map((m): [Method, string] => ['POST', `/conversations/${alice}/${m}`]),
        ['GET', `/conversations/${alice}/messages`],
        ['POST', `/conversations/${alice}/messages`, { text: 'intruder' }],
        ['POST', `/conversations/${alice}/read`],
        ['GET', `/conversations/${alice}/log`],
      ];
      for (const [method, path, body] of endpoints) {
        for (const [what, headers, message] of tokens) {
          expectError(await api.send(method, `/api/v1${path}`, body ?? (method === 'GET' ? undefined : {}), headers), [401, 'unauthorized', message], `${method} ${path} with ${what}`);
        }
      }
      expect((await admin.get('/api/v1/groups')).body.items).toHaveLength(groupsBefore);
      expect((await admin.get('/api/v1/channels')).body.items).toHaveLength(channelsBefore);
      expect((await admin.get(`/api/v1/conversations/${alice}`)).body).toMatchObject({ status: 'in_progress', assignee: { id: annId } });
      expect((await sql(`SELECT id FROM conversation.message WHERE text = 'intruder'`))).toEqual([]);
    });
  });

  describe('gateway: operators and groups', () => {
    const operator = () => ({ name: 'Val', email: `val-${randomUUID().slice(0, 8)}@example.com`, password: 'val password', role: 'operator' });

    it('D33: POST /operators refuses unknown fields, wrong types, missing fields and unknown groups, and creates nobody', async () => {
      const before = (await admin.get('/api/v1/operators')).body.items.length;
      const unknownGroup = randomUUID();
      const cases: [Record<string, unknown>, string | RegExp][] = [
        [{ ...operator(), isBoss: true }, 'isBoss'],
        [{ ...operator(), role: 'king' }, 'role'],
        [{ ...operator(), permissions: 'all' }, 'permissions'],
        [{ ...operator(), permissions: ['everything'] }, 'permissions.0'],
        [{ ...operator(), groupIds: ['nope'] }, 'groupIds.0'],
        [{ ...operator(), groupIds: [sales, unknownGroup] }, unknownGroup],
        [{ ...operator(), name: 42 }, 'name'],
        [{ ...operator(), name: '   ' }, 'name'],
        [{ ...operator(), password: 'short' }, 'password'],
        [{ ...operator(), password: '        ' }, /password[\s\S]*only spaces/],
        [{ ...operator(), email: 'nobody' }, 'email'],
        [{ name: 'Val', password: 'val password', role: 'operator' }, 'email'],
        [{ name: 'Val', email: `val-${randomUUID().slice(0, 8)}@example.com`, role: 'operator' }, 'password'],
      ];
      for (const [body, names] of cases) expectError(await admin.post('/api/v1/operators', body), [400, 'validation_failed', names], JSON.stringify(body));
      expectError(await admin.send('POST', '/api/v1/operators', undefined, {}, '{"name": "Val",'), [400, 'validation_failed', /JSON/]);
      expectError(await admin.post('/api/v1/operators', { ...operator(), name: 'x'.repeat(300 * 1024) }), [413, 'payload_too_large']);
      expect((await admin.get('/api/v1/operators')).body.items).toHaveLength(before);
    });

    it('D33: PATCH /operators/:id refuses a path id that is no UUID, an empty or wrong body, and leaves the operator as he was', async () => {
      const target = (await admin.get('/api/v1/operators')).body.items.find((o: { id: string }) => o.id === annId);
      expectError(await admin.patch('/api/v1/operators/not-a-uuid', { name: 'X' }), [400, 'validation_failed', 'id']);
      expectError(await admin.patch("/api/v1/operators/1' OR '1'='1", { name: 'X' }), [400, 'validation_failed', 'id']);
      expectError(await admin.patch(`/api/v1/operators/${randomUUID()}`, { name: 'Nobody' }), [404, 'not_found']);
      const cases: [unknown, string | RegExp][] = [
        [{}, /no field/],
        [{ name: 'Ann 2', salary: 1 }, 'salary'],
        [{ name: 'Ann 2', role: 'owner' }, 'role'],
        [{ name: 'Ann 2', groupIds: 'sales' }, 'groupIds'],
        [{ name: 'Ann 2', groupIds: [randomUUID()] }, 'groupIds'],
        [{ name: 'Ann 2', password: 'short' }, 'password'],
      ];
      for (const [body, names] of cases) expectError(await admin.patch(`/api/v1/operators/${annId}`, body), [400, 'validation_failed', names], JSON.stringify(body));
      expectError(await admin.send('PATCH', `/api/v1/operators/${annId}`, undefined, {}, '{"name": '), [400, 'validation_failed', /JSON/]);
      expectError(await admin.patch(`/api/v1/operators/${annId}`, big()), [413, 'payload_too_large']);
      expect((await admin.get('/api/v1/operators')).body.items.find((o: { id: string }) => o.id === annId)).toEqual(target);
    });

    it('D33: POST /groups refuses unknown fields, a blank, long or wrong-typed name, bad JSON and 413; GET /groups shows none extra', async () => {
      const before = (await admin.get('/api/v1/groups')).body.items;
      const cases: [unknown, string | RegExp][] = [
        [{ name: 'Extra', colour: 'red' }, 'colour'],
        [{ name: '   ' }, 'name'],
        [{ name: 7 }, 'name'],
        [{ name: 'g'.repeat(101) }, 'name'],
        [{}, 'name'],
        [['Extra'], '(root)'],
      ];
      for (const [body, names] of cases) expectError(await admin.post('/api/v1/groups', body), [400, 'validation_failed', names], JSON.stringify(body));
      expectError(await admin.send('POST', '/api/v1/groups', undefined, {}, '{"name": "Extra"'), [400, 'validation_failed', /JSON/]);
      expectError(await admin.send('POST', '/api/v1/groups', undefined, { 'content-type': 'text/plain' }, 'name=Extra'), [400, 'validation_failed']);
      expectError(await admin.post('/api/v1/groups', big()), [413, 'payload_too_large']);
      expect((await admin.get('/api/v1/groups')).body.items).toEqual(before);
    });

    it('D34: an operator may not create operators or groups, nor change an operator: 403, and nothing changes', async () => {
      const groups = (await admin.get('/api/v1/groups')).body.items;
      const operators = (await admin.get('/api/v1/operators')).body.items;
      expectError(await ann.post('/api/v1/operators', { ...operator(), role: 'super_admin' }), [403, 'forbidden']);
      expectError(await ann.post('/api/v1/groups', { name: 'Ann only' }), [403, 'forbidden']);
      expectError(await ann.patch(`/api/v1/operators/${annId}`, { role: 'super_admin' }), [403, 'forbidden']);
      expect((await admin.get('/api/v1/groups')).body.items).toEqual(groups);
      expect((await admin.get('/api/v1/operators')).body.items).toEqual(operators);
    });
  });

  describe('gateway: channels', () => {
    const channel = (over: Record<string, unknown> = {}) => ({ type: 'api', name: 'Extra', groupId: sales, settings: { apiKey: `extra-key-${randomUUID()}` }, ...over });
    const listed = async (): Promise<unknown[]> => (await admin.get('/api/v1/channels')).body.items;

    it('D33: POST /channels refuses an unknown type, unknown fields, wrong settings, missing fields and bad groups, and creates none', async () => {
      const before = await listed();
      const unknownGroup = randomUUID();
      const cases: [unknown, string | RegExp][] = [
        [channel({ type: 'fax' }), 'type'],
        [channel({ colour: 'red' }), 'colour'],
        [channel({ settings: { apiKey: `extra-key-${randomUUID()}`, rateLimit: 5 } }), 'rateLimit'],
        [channel({ settings: { apiKey: 'short' } }), 'settings.apiKey'],
        [channel({ settings: { apiKey: 123_456_789 } }), 'settings.apiKey'],
        [channel({ settings: {} }), 'settings.apiKey'],
        [channel({ settings: 'apiKey=1' }), 'settings'],
        [channel({ type: 'webchat', settings: { allowedOrigins: ['not a url'] } }), 'settings.allowedOrigins.0'],
        [channel({ type: 'webchat', settings: { allowedOrigins: 'https://shop.example' } }), 'settings.allowedOrigins'],
        [channel({ type: 'webchat', settings: { allowedOrigins: ['javascript:alert(1)'] } }), 'settings.allowedOrigins.0'],
        // A page's Origin never carries a path, so such an entry would never match.
        [channel({ type: 'webchat', settings: { allowedOrigins: ['https://shop.example', 'https://shop.example/some/path'] } }), /settings\.allowedOrigins\.1[\s\S]*without a path/],
        [channel({ type: 'telegram', settings: { botToken: 'short', secretToken: 'bad token!' } }), 'settings.botToken'],
        [channel({ name: '' }), 'name'],
        [channel({ name: 42 }), 'name'],
        [channel({ groupId: 'sales' }), 'groupId'],
        [channel({ groupId: unknownGroup }), unknownGroup],
        [{ type: 'api', name: 'Extra', settings: { apiKey: `extra-key-${randomUUID()}` } }, 'groupId'],
        [{ name: 'Extra', groupId: sales, settings: {} }, 'type'],
        [channel({ type: 'whatsapp', settings: { phoneNumberId: '123', appSecret: 'app-secret-1', verifyToken: 'verify-token-1' } }), 'settings.accessToken'],
        [channel({ enabled: false }), 'enabled'],
      ];
      for (const [body, names] of cases) expectError(await admin.post('/api/v1/channels', body), [400, 'validation_failed', names], JSON.stringify(body));
      expectError(await admin.send('POST', '/api/v1/channels', undefined, {}, '{"type": "api", '), [400, 'validation_failed', /JSON/]);
      expectError(await admin.post('/api/v1/channels', channel({ name: 'n'.repeat(300 * 1024) })), [413, 'payload_too_large']);
      expect(await listed()).toEqual(before);
    });

    it('D33: a second channel with an API key in use answers 409 and is not created', async () => {
      const before = await listed();
      expectError(await admin.post('/api/v1/channels', channel({ settings: { apiKey } })), [409, 'conflict', /API key/]);
      expect(await listed()).toEqual(before);
    });

    it('D33: PATCH /channels/:id refuses a bad or unknown id, an empty body, settings of another shape and unknown groups; the channel stays as it was', async () => {
      const before = await listed();
      expectError(await admin.patch('/api/v1/channels/not-a-uuid', { name: 'X' }), [400, 'validation_failed', 'id']);
      expectError(await admin.patch(`/api/v1/channels/${randomUUID()}`, { name: 'Nobody' }), [404, 'not_found']);
      const cases: [string, unknown, string | RegExp][] = [
        [apiChannel, {}, /no field/],
        [apiChannel, { name: 'X', type: 'webchat' }, 'type'],
        [apiChannel, { name: '' }, 'name'],
        [apiChannel, { groupId: 'nope' }, 'groupId'],
        [apiChannel, { groupId: randomUUID() }, /groupId: unknown/],
        [apiChannel, { settings: 'x' }, 'settings'],
        [apiChannel, { settings: { apiKey: 'short' } }, 'apiKey'],
        [apiChannel, { settings: { allowedOrigins: [origin] } }, 'allowedOrigins'],
        [webchatA, { settings: { allowedOrigins: ['nope'] } }, 'allowedOrigins.0'],
      ];
      for (const [id, body, names] of cases) expectError(await admin.patch(`/api/v1/channels/${id}`, body), [400, 'validation_failed', names], `${id} ${JSON.stringify(body)}`);
      expectError(await admin.send('PATCH', `/api/v1/channels/${apiChannel}`, undefined, {}, '{"name"'), [400, 'validation_failed', /JSON/]);
      expectError(await admin.patch(`/api/v1/channels/${apiChannel}`, big()), [413, 'payload_too_large']);
      expect(await listed()).toEqual(before);
      // The write-only API key was not touched either: it still lets a message in.
      expect((await sendInbound('dora', 'dora-1')).status).toBe(200);
    });

    it('D34: an operator may neither create, list nor change channels: 403, and nothing changes', async () => {
      const before = await listed();
      expectError(await vera.post('/api/v1/channels', channel()), [403, 'forbidden']);
      expectError(await vera.get('/api/v1/channels'), [403, 'forbidden']);
      expectError(await vera.patch(`/api/v1/channels/${apiChannel}`, { name: 'Vera was here' }), [403, 'forbidden']);
      expect(await listed()).toEqual(before);
    });
  });

  describe('gateway: conversations', () => {
    const list = (client: HttpClient, query: string) => client.get(`/api/v1/conversations?${query}`);

    it('D33: GET /conversations refuses a missing or unknown tab, bad ids, an unknown status and limit 0/101/abc, naming the parameter', async () => {
      const cases: [string, string][] = [
        ['', 'tab'],
        ['tab=inbox', 'tab'],
        ['tab=all&tab=mine', 'tab'],
        ['tab=all&groupId=sales', 'groupId'],
        ['tab=all&groupId=', 'groupId'],
        ['tab=all&groupId=%ZZ', 'groupId'],
        ['tab=all&operatorId=42', 'operatorId'],
        ['tab=all&status=open', 'status'],
        ['tab=all&limit=0', 'limit'],
        ['tab=all&limit=101', 'limit'],
        ['tab=all&limit=abc', 'limit'],
        ['tab=all&limit=-1', 'limit'],
        ['tab=all&limit=1.5', 'limit'],
        ['tab=all&cursor=', 'cursor'],
        [`tab=all&cursor=${'c'.repeat(501)}`, 'cursor'],
      ];
      for (const [query, names] of cases) expectError(await list(admin, query), [400, 'validation_failed', names], query);
    });

    it('D33: GET /conversations refuses filters that do not belong to the tab, naming them', async () => {
      expectError(await list(admin, `tab=mine&operatorId=${annId}`), [400, 'validation_failed', 'operatorId']);
      expectError(await list(admin, 'tab=unassigned&status=closed'), [400, 'validation_failed', 'status']);
    });

    it('D33: GET /conversations refuses a garbage cursor, naming cursor', async () => {
      for (const cursor of ['garbage', 'e30', Buffer.from('[1,2]').toString('base64url'), Buffer.from(JSON.stringify(['2024-01-01T00:00:00Z', 'x'])).toString('base64url')]) {
        expectError(await list(admin, `tab=all&cursor=${cursor}`), [400, 'validation_failed', 'cursor'], cursor);
      }
    });
    it('D33: a cursor whose time PostgreSQL cannot read, or whose id is no UUID, answers 400', async () => {
      // Made as the service makes them, for this very list: only the time or the id is wrong.
      const cursorOf = (at: string, id: string) => Buffer.from(JSON.stringify([at, id, JSON.stringify(['all', null, null, null])])).toString('base64url');
      expect((await list(admin, `tab=all&cursor=${cursorOf(iso(), randomUUID())}`)).status).toBe(200);
      expectError(await list(admin, `tab=all&cursor=${cursorOf('1', randomUUID())}`), [400, 'validation_failed', 'cursor'], 'time "1"');
      expectError(await list(admin, `tab=all&cursor=${cursorOf('0000-01-01T00:00:00Z', randomUUID())}`), [400, 'validation_failed', 'cursor'], 'the year 0000');
      expectError(await list(admin, `tab=all&cursor=${cursorOf('2026-01-01T00:00:00+16:00', randomUUID())}`), [400, 'validation_failed', 'cursor'], 'offset +16:00');
      expectError(await list(admin, `tab=all&cursor=${cursorOf(iso(), '-'.repeat(36))}`), [400, 'validation_failed', 'cursor'], 'id of dashes');
    });
    it('D33: a cursor from another tab is refused, naming cursor', async () => {
      const first = await list(admin, 'tab=unassigned&limit=1');
      expect(first.status).toBe(200);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      expectError(await list(admin, `tab=all&cursor=${first.body.nextCursor}`), [400, 'validation_failed', 'cursor']);
    });
    it('D33: an unknown query parameter, such as a misspelt filter, is refused naming it', async () => {
      expectError(await list(admin, `tab=all&grupId=${support}`), [400, 'validation_failed', 'grupId']);
      expectError(await admin.get(`/api/v1/conversations/${alice}/messages?limt=1`), [400, 'validation_failed', 'limt']);
    });

    it('D33: a conversation path id that is no UUID answers 400 naming id on every route; an unknown one 404', async () => {
      const routes: [Method, string][] = [
        ['GET', ''],
        ['POST', '/take'],
        ['POST', '/close'],
        ['POST', '/unassign'],
        ['POST', '/reopen'],
        ['GET', '/messages'],
        ['POST', '/messages'],
        ['POST', '/read'],
        ['GET', '/log'],
      ];
      for (const [method, suffix] of routes) {
        const body = suffix === '/messages' && method === 'POST' ? { text: 'hello' } : method === 'POST' ? {} : undefined;
        for (const bad of ['not-a-uuid', '123', `${alice}x`, "1' OR '1'='1"]) {
          expectError(await admin.send(method, `/api/v1/conversations/${encodeURIComponent(bad)}${suffix}`, body), [400, 'validation_failed', 'id'], `${method} ${bad}${suffix}`);
        }
        expectError(await admin.send(method, `/api/v1/conversations/${randomUUID()}${suffix}`, body), [404, 'not_found'], `${method} unknown${suffix}`);
      }
    });
    it('D33: a path that is not valid percent-encoding answers 400', async () => {
      expectError(await admin.get('/api/v1/conversations/%ZZ'), [400, 'validation_failed'], 'GET conversation');
      expectError(await admin.post('/api/v1/conversations/%ZZ/take'), [400, 'validation_failed'], 'take');
      expectError(await admin.patch('/api/v1/operators/%E0%A4%A', { name: 'X' }), [400, 'validation_failed'], 'PATCH operator');
      expectError(await admin.patch('/api/v1/channels/%ZZ', { name: 'X' }), [400, 'validation_failed'], 'PATCH channel');
      expectError(await ingest.post('/ingest/v1/webchat/%ZZ/sessions', { name: 'Eve' }), [400, 'validation_failed'], 'webchat session');
    });

    it('D33: GET messages refuses a bad before cursor and limit 0/101/abc', async () => {
      for (const [query, names] of [['limit=0', 'limit'], ['limit=101', 'limit'], ['limit=abc', 'limit'], ['before=', 'before'], ['before=garbage', /before|cursor/]] as const) {
        expectError(await ann.get(`/api/v1/conversations/${alice}/messages?${query}`), [400, 'validation_failed', names], query);
      }
    });
    it('D33: a garbage before cursor is refused naming before, the parameter the caller sent', async () => {
      expectError(await ann.get(`/api/v1/conversations/${alice}/messages?before=garbage`), [400, 'validation_failed', /\bbefore\b/]);
    });

    it('D33: POST messages refuses unknown fields, wrong, blank or missing text, bad JSON, 413 and bad Idempotency-Keys, and writes nothing', async () => {
      const history = async (id: string) => (await admin.get(`/api/v1/conversations/${id}/messages`)).body.items;
      const before = await history(alice);
      const send = (body: unknown, headers: Record<string, string> = {}) => ann.post(`/api/v1/conversations/${alice}/messages`, body, headers);
      const cases: [unknown, string | RegExp][] = [
        [{ text: 'hi', html: '<b>hi</b>' }, 'html'],
        [{ text: 42 }, 'text'],
        [{ text: null }, 'text'],
        [{}, 'text'],
        [{ text: '' }, 'text'],
        [{ text: ' \n\t ' }, /must not be blank/],
        [{ text: '\u200b' }, /must not be blank/],
        [{ text: 't'.repeat(10_001) }, 'text'],
        [['hi'], '(root)'],
        ['hi', /JSON|root/],
      ];
      for (const [body, names] of cases) expectError(await send(body), [400, 'validation_failed', names], JSON.stringify(body).slice(0, 50));
      expectError(await ann.send('POST', `/api/v1/conversations/${alice}/messages`, undefined, {}, '{"text": "hi"'), [400, 'validation_failed', /JSON/]);
      expectError(await ann.send('POST', `/api/v1/conversations/${alice}/messages`, undefined, { 'content-type': 'text/plain' }, 'hi'), [400, 'validation_failed']);
      expectError(await send({ text: 't'.repeat(300 * 1024) }), [413, 'payload_too_large']);
      expectError(await send({ text: 'hi' }, { 'idempotency-key': '' }), [400, 'validation_failed', 'Idempotency-Key']);
      expectError(await send({ text: 'hi' }, { 'idempotency-key': 'k'.repeat(201) }), [400, 'validation_failed', 'Idempotency-Key']);
      expect(await history(alice)).toEqual(before);
      expect((await sql(`SELECT id FROM conversation.message WHERE conversation_id = $1 AND direction = 'out'`, [alice]))).toEqual([]);
    });

    it('D33: an Idempotency-Key used for another conversation answers 409 and writes nothing there', async () => {
      const key = `reply-${randomUUID()}`;
      const first = await ann.post(`/api/v1/conversations/${alice}/messages`, { text: 'On it' }, { 'idempotency-key': key });
      expect(first.status).toBe(201);
      const carolBefore = (await admin.get(`/api/v1/conversations/${carol}`)).body;
      expectError(await ann.post(`/api/v1/conversations/${carol}/messages`, { text: 'On it' }, { 'idempotency-key': key }), [409, 'conflict', /Idempotency-Key/]);
      expect((await admin.get(`/api/v1/conversations/${carol}`)).body).toEqual(carolBefore);
      expect((await sql(`SELECT id FROM conversation.message WHERE conversation_id = $1 AND direction = 'out'`, [carol]))).toEqual([]);
    });

    it('D33: an Idempotency-Key reused for a note, or for another text, answers 409 instead of the first message; a true retry is the first', async () => {
      const key = `reply-${randomUUID()}`;
      const first = await ann.post(`/api/v1/conversations/${alice}/messages`, { text: 'Checking your order' }, { 'idempotency-key': key });
      expect(first.status).toBe(201);
      const count = async () => (await sql(`SELECT id FROM conversation.message WHERE conversation_id = $1`, [alice])).length;
      const before = await count();
      expectError(await ann.post(`/api/v1/conversations/${alice}/notes`, { text: 'Checking your order' }, { 'idempotency-key': key }), [409, 'conflict', /another message/]);
      expectError(await ann.post(`/api/v1/conversations/${alice}/messages`, { text: 'Something else' }, { 'idempotency-key': key }), [409, 'conflict', /another message/]);
      expectError(await ann.post(`/api/v1/conversations/${carol}/notes`, { text: 'Checking your order' }, { 'idempotency-key': key }), [409, 'conflict', /another conversation/]);
      const retry = await ann.post(`/api/v1/conversations/${alice}/messages`, { text: 'Checking your order' }, { 'idempotency-key': key });
      expect({ status: retry.status, id: retry.body.id, replayed: retry.headers.get('idempotent-replayed') }).toEqual({ status: 201, id: first.body.id, replayed: 'true' });
      expect(await count()).toBe(before);
    });

    it('D33: the moves refuse a body that is not JSON or over 256kb, and the conversation does not move', async () => {
      const before = (await admin.get(`/api/v1/conversations/${carol}`)).body;
      const logBefore = (await admin.get(`/api/v1/conversations/${carol}/log`)).body.items;
      for (const move of ['take', 'close', 'unassign', 'reopen', 'read']) {
        expectError(await ann.send('POST', `/api/v1/conversations/${carol}/${move}`, undefined, {}, '{"x":'), [400, 'validation_failed', /JSON/], move);
        expectError(await ann.post(`/api/v1/conversations/${carol}/${move}`, big()), [413, 'payload_too_large'], move);
      }
      expect((await admin.get(`/api/v1/conversations/${carol}`)).body).toEqual(before);
      expect((await admin.get(`/api/v1/conversations/${carol}/log`)).body.items).toEqual(logBefore);
    });

    it('D33: moves that the state does not allow answer 409 and change nothing', async () => {
      const before = (await admin.get(`/api/v1/conversations/${carol}`)).body;
      expectError(await ann.post(`/api/v1/conversations/${carol}/close`), [409, 'conflict']);
      expectError(await ann.post(`/api/v1/conversations/${carol}/unassign`), [409, 'conflict']);
      expectError(await ann.post(`/api/v1/conversations/${carol}/reopen`), [409, 'conflict']);
      expectError(await ann.post(`/api/v1/conversations/${alice}/take`), [409, 'conflict']);
      expect((await admin.get(`/api/v1/conversations/${carol}`)).body).toEqual(before);
    });

    it("D34: another group's conversation answers 404 on every route, and nothing about it changes", async () => {
      const before = (await admin.get(`/api/v1/conversations/${bob}`)).body;
      const routes: [Method, string, unknown?][] = [
        ['GET', ''],
        ['POST', '/take'],
        ['POST', '/close'],
        ['POST', '/unassign'],
        ['POST', '/reopen'],
        ['GET', '/messages'],
        ['POST', '/messages', { text: 'not my group' }],
        ['POST', '/read'],
        ['GET', '/log'],
      ];
      for (const [method, suffix, body] of routes) {
        expectError(await ann.send(method, `/api/v1/conversations/${bob}${suffix}`, body ?? (method === 'POST' ? {} : undefined)), [404, 'not_found'], `ann ${method} bob${suffix}`);
        expectError(await cid.send(method, `/api/v1/conversations/${alice}${suffix}`, body ?? (method === 'POST' ? {} : undefined)), [404, 'not_found'], `cid ${method} alice${suffix}`);
      }
      expect((await admin.get(`/api/v1/conversations/${bob}`)).body).toEqual(before);
      expect((await ann.get('/api/v1/conversations?tab=unassigned')).body.items.map((i: { id: string }) => i.id)).not.toContain(bob);
    });

    it("D34: in his group an operator can neither see nor move a colleague's conversation (404); with view_all he sees it but may not reply or close (403)", async () => {
      const before = (await admin.get(`/api/v1/conversations/${alice}`)).body;
      const messages = (await admin.get(`/api/v1/conversations/${alice}/messages`)).body.items;
      expectError(await ben.get(`/api/v1/conversations/${alice}`), [404, 'not_found']);
      expectError(await ben.post(`/api/v1/conversations/${alice}/messages`, { text: 'mine now' }), [404, 'not_found']);
      expectError(await ben.get(`/api/v1/conversations/${alice}/log`), [404, 'not_found']);
      expectError(await ben.post(`/api/v1/conversations/${alice}/close`), [404, 'not_found']);
      expectError(await ben.post(`/api/v1/conversations/${alice}/unassign`), [404, 'not_found']);
      expect((await vera.get(`/api/v1/conversations/${alice}`)).status).toBe(200);
      expectError(await vera.post(`/api/v1/conversations/${alice}/messages`, { text: 'let me' }), [403, 'forbidden']);
      expectError(await vera.post(`/api/v1/conversations/${alice}/close`), [403, 'forbidden']);
      expectError(await ann.post(`/api/v1/conversations/${carol}/messages`, { text: 'not taken yet' }), [403, 'forbidden']);
      expect((await admin.get(`/api/v1/conversations/${alice}`)).body).toEqual(before);
      expect((await admin.get(`/api/v1/conversations/${alice}/messages`)).body.items).toEqual(messages);
      expect((await sql(`SELECT id FROM conversation.message WHERE conversation_id = $1 AND direction = 'out'`, [carol]))).toEqual([]);
    });

    it('D34: the All tab needs view_all or manage: 403 for a plain operator', async () => {
      expectError(await ann.get('/api/v1/conversations?tab=all'), [403, 'forbidden', /view_all/]);
      expectError(await ann.get('/api/v1/conversations?tab=blacklist'), [403, 'forbidden']);
      expect((await vera.get('/api/v1/conversations?tab=all')).status).toBe(200);
    });
  });

  describe('ingestion: the generic endpoint', () => {
    it('D33: POST /ingest/v1/messages answers 401 without an API key or with a wrong one, 403 for another channel, and stores none of them', async () => {
      const valid = { channel: 'api', channelId: apiChannel, externalClientId: 'erin', clientName: 'Erin', externalMessageId: 'rejected-auth', sentAt: iso(), text: 'hi' };
      expectError(await ingest.post('/ingest/v1/messages', valid), [401, 'unauthorized', /API key/]);
      expectError(await ingest.bearer('wrong-api-key-0123456789abcdef').post('/ingest/v1/messages', valid), [401, 'unauthorized']);
      expectError(await ingest.with({ authorization: apiKey }).post('/ingest/v1/messages', valid), [401, 'unauthorized']);
      expectError(await ingest.with({ authorization: `Basic ${Buffer.from(`x:${apiKey}`).toString('base64')}` }).post('/ingest/v1/messages', valid), [401, 'unauthorized']);
      expectError(await ingest.bearer(visitorA.token).post('/ingest/v1/messages', valid), [401, 'unauthorized'], 'a visitor token');
      expectError(await ingest.bearer(apiKey).post('/ingest/v1/messages', { ...valid, channelId: webchatA, externalMessageId: 'rejected-other-channel' }), [403, 'forbidden']);
      expectError(await ingest.bearer(apiKey).post('/ingest/v1/messages', { ...valid, channel: 'webchat', externalMessageId: 'rejected-other-type' }), [403, 'forbidden']);
    });

    it('D33: POST /ingest/v1/messages refuses unknown fields, wrong types, missing fields, bad JSON and 413, naming the field; none is stored and the next one is', async () => {
      const valid = () => ({ channel: 'api', channelId: apiChannel, externalClientId: 'erin', clientName: 'Erin', externalMessageId: `rejected-${randomUUID()}`, sentAt: iso(), text: 'hi' });
      const without = (field: string) => Object.fromEntries(Object.entries(valid()).filter(([k]) => k !== field));
      const cases: [unknown, string | RegExp][] = [
        [{ ...valid(), priority: 'high' }, 'priority'],
        [{ ...valid(), text: 42 }, 'text'],
        [{ ...valid(), text: '' }, 'text'],
        [{ ...valid(), text: ' \n\t' }, /must not be blank/],
        [{ ...valid(), text: 't'.repeat(10_001) }, 'text'],
        [without('text'), /text or attachment/],
        [without('externalMessageId'), 'externalMessageId'],
        [without('externalClientId'), 'externalClientId'],
        [without('clientName'), 'clientName'],
        [without('sentAt'), 'sentAt'],
        [without('channelId'), 'channelId'],
        [{ ...valid(), sentAt: 'yesterday' }, 'sentAt'],
        [{ ...valid(), sentAt: 1_700_000_000 }, 'sentAt'],
        [{ ...valid(), channel: 'fax' }, 'channel'],
        [{ ...valid(), channelId: 'not-a-uuid' }, 'channelId'],
        [{ ...valid(), phone: 'call me' }, 'phone'],
        [{ ...valid(), clientName: '   ' }, 'clientName'],
        [{ ...valid(), externalMessageId: '' }, 'externalMessageId'],
        [{ ...valid(), externalClientId: 'c'.repeat(201) }, 'externalClientId'],
        [{ ...valid(), attachment: { fileName: 'a.pdf', mimeType: 'application/pdf', size: 10 } }, 'attachment'],
        [{ ...valid(), attachment: { url: 'https://files.example/a.pdf', fileName: 'a.pdf', mimeType: 'pdf', size: -1 } }, /attachment\.(mimeType|size)/],
        // Files come by a web address; a key of Relaydesk's own store would borrow someone else's file.
        [{ ...valid(), attachment: { storageKey: 'attachments/01a2515e-a473-7650-8acd-7c42afb43f92', fileName: 'a.txt', mimeType: 'text/plain', size: 1 } }, /attachment\.storageKey[\s\S]*by url/],
        [{ ...valid(), attachment: { storageKey: '../../../../etc/passwd', fileName: 'a.txt', mimeType: 'text/plain', size: 1 } }, 'attachment.storageKey'],
        ...['javascript:alert(1)', 'file:///etc/passwd', 'data:text/html,<script>alert(1)</script>', 'ftp://files.example/a.pdf'].map(
          (url): [unknown, RegExp] => [{ ...valid(), attachment: { url, fileName: 'a.pdf', mimeType: 'application/pdf', size: 1 } }, /attachment\.url[\s\S]*http or https/],
        ),
        [[valid()], '(root)'],
      ];
      for (const [body, names] of cases) expectError(await ingest.bearer(apiKey).post('/ingest/v1/messages', body), [400, 'validation_failed', names], JSON.stringify(body).slice(0, 120));
      expectError(await ingest.bearer(apiKey).send('POST', '/ingest/v1/messages', undefined, {}, '{"channel": "api",'), [400, 'validation_failed', /JSON/]);
      expectError(await ingest.bearer(apiKey).send('POST', '/ingest/v1/messages', undefined, { 'content-type': 'text/plain' }, 'hi'), [400, 'validation_failed', /Content-Type: application\/json/]);
      const notUtf8 = Buffer.concat([Buffer.from(JSON.stringify({ ...valid(), text: 'caf' }).slice(0, -2)), Buffer.from([0xe9, 0xff]), Buffer.from('"}')]);
      expectError(await ingest.bearer(apiKey).send('POST', '/ingest/v1/messages', undefined, {}, notUtf8), [400, 'validation_failed', /not valid UTF-8/]);
      expectError(await ingest.bearer(apiKey).post('/ingest/v1/messages', { ...valid(), text: 't'.repeat(300 * 1024) }), [413, 'payload_too_large']);

      expect((await sendInbound('erin', 'erin-after-rejects')).status).toBe(200);
      await storedMessage('erin-after-rejects');
      expect(await sql(`SELECT external_message_id FROM conversation.message WHERE external_message_id LIKE 'rejected-%'`)).toEqual([]);
    });
  });

  describe('ingestion: the webchat', () => {
    const sessions = (channelId: string) => `/ingest/v1/webchat/${channelId}/sessions`;
    const messages = (channelId: string) => `/ingest/v1/webchat/${channelId}/messages`;

    it('D33: POST sessions refuses a bad or unknown channel id, a disallowed Origin and a bad body', async () => {
      const shop = ingest.with({ origin });
      expectError(await shop.post(sessions('not-a-uuid'), { name: 'Eve' }), [400, 'validation_failed', 'channelId']);
      expectError(await shop.post(sessions(randomUUID()), { name: 'Eve' }), [404, 'not_found']);
      expectError(await shop.post(sessions(apiChannel), { name: 'Eve' }), [404, 'not_found'], 'an api channel is no webchat');
      expectError(await ingest.with({ origin: 'https://evil.example' }).post(sessions(webchatA), { name: 'Eve' }), [403, 'forbidden', 'https://evil.example']);
      expectError(await ingest.with({ origin: 'null' }).post(sessions(webchatA), { name: 'Eve' }), [403, 'forbidden']);
      expectError(await ingest.with({ origin: 'https://shop.example.evil.example' }).post(sessions(webchatA), { name: 'Eve' }), [403, 'forbidden']);
      expectError(await shop.post(sessions(webchatB), { name: 'Eve' }), [403, 'forbidden'], 'an origin allowed only on another channel');
      const cases: [unknown, string | RegExp][] = [
        [{ name: 'Eve', email: 'eve@example.com' }, 'email'],
        [{}, 'name'],
        [{ name: 42 }, 'name'],
        [{ name: '   ' }, 'name'],
        [{ name: 'n'.repeat(201) }, 'name'],
      ];
      for (const [body, names] of cases) expectError(await shop.post(sessions(webchatA), body), [400, 'validation_failed', names], JSON.stringify(body));
      expectError(await shop.send('POST', sessions(webchatA), undefined, {}, '{"name": '), [400, 'validation_failed', /JSON/]);
      expectError(await shop.post(sessions(webchatA), big()), [413, 'payload_too_large']);
    });

    it("D33: POST messages answers 401 for a missing, garbage, forged or expired visitor token and another channel's one, 403 for a disallowed Origin", async () => {
      const body = { text: 'hi', clientMessageId: 'rejected-token' };
      const visitorSecret = createHmac('sha256', secret).update('webchat-visitors').digest('hex');
      const claims = { channelId: webchatA, visitorId: visitorA.visitorId, name: 'Vic' };
      const tokens: [string, string | undefined, RegExp?][] = [
        ['none', undefined],
        ['garbage', 'garbage'],
        ['another channel', visitorB.token, /not for this channel/],
        ['signed with another secret', signToken(claims, 'not the visitor secret', 3600)],
        ['signed with the internal secret', signToken(claims, secret, 3600)],
        ['expired', signToken(claims, visitorSecret, 60, Date.now() - 3_600_000)],
        ['tampered', `${Buffer.from(JSON.stringify({ ...claims, exp: 9_999_999_999 })).toString('base64url')}.${visitorA.token.split('.')[1]}`],
      ];
      for (const [what, token, message] of tokens) {
        const client = ingest.with({ origin, ...(token ? { authorization: `Bearer ${token}` } : {}) });
        expectError(await client.post(messages(webchatA), body), [401, 'unauthorized', message ?? /Visitor token/], what);
      }
      expectError(await ingest.with({ origin: 'https://evil.example' }).bearer(visitorA.token).post(messages(webchatA), body), [403, 'forbidden']);
      expectError(await ingest.with({ origin }).bearer(visitorA.token).post(messages(randomUUID()), body), [404, 'not_found']);
      expectError(await ingest.with({ origin }).bearer(visitorA.token).post(messages('nope'), body), [400, 'validation_failed', 'channelId']);
    });

    it('D33: POST messages refuses unknown fields, wrong, blank or missing fields, bad JSON and 413; none is stored and the next one is', async () => {
      const visitor = ingest.with({ origin }).bearer(visitorA.token);
      const cases: [unknown, string | RegExp][] = [
        [{ text: 'hi', clientMessageId: 'rejected-1', html: '<b>' }, 'html'],
        [{ text: 'hi' }, 'clientMessageId'],
        [{ clientMessageId: 'rejected-2' }, 'text'],
        [{ text: '', clientMessageId: 'rejected-3' }, 'text'],
        [{ text: '   ', clientMessageId: 'rejected-blank' }, /must not be blank/],
        [{ text: 42, clientMessageId: 'rejected-4' }, 'text'],
        [{ text: 'hi', clientMessageId: 5 }, 'clientMessageId'],
        [{ text: 'hi', clientMessageId: `rejected-${'x'.repeat(100)}` }, 'clientMessageId'],
        [{ text: 't'.repeat(10_001), clientMessageId: 'rejected-5' }, 'text'],
      ];
      for (const [body, names] of cases) expectError(await visitor.post(messages(webchatA), body), [400, 'validation_failed', names], JSON.stringify(body).slice(0, 80));
      expectError(await visitor.send('POST', messages(webchatA), undefined, {}, '{"text": "hi", '), [400, 'validation_failed', /JSON/]);
      expectError(await visitor.post(messages(webchatA), { text: 't'.repeat(300 * 1024), clientMessageId: 'rejected-6' }), [413, 'payload_too_large']);

      expect((await visitor.post(messages(webchatA), { text: 'a good one', clientMessageId: 'ok-1' })).status).toBe(202);
      await storedMessage(`${visitorA.visitorId}:ok-1`);
      expect(await sql('SELECT external_message_id FROM conversation.message WHERE external_message_id LIKE $1', [`${visitorA.visitorId}:rejected-%`])).toEqual([]);
    });
  });

  describe('internal APIs (signed identity header)', () => {
    const superAdmin = (): CallerIdentity => ({ operatorId: adminId, role: 'super_admin', permissions: [], groupIds: [] });
    /** An identity header as given, or signed for the request it goes with. */
    type Identity = string | undefined | ((request: InternalRequest) => string);
    const as = (who: CallerIdentity, key = secret, now?: number) => (request: InternalRequest) => signIdentity(who, key, request, now);
    const call = (base: string, method: Method, path: string, identity: Identity, body?: unknown) => {
      const header = typeof identity === 'function' ? identity(internalRequest(method, new URL(`${base}${path}`))) : identity;
      return new HttpClient(base, header === undefined ? {} : { [IDENTITY_HEADER]: header }).send(method, path, body ?? (method === 'GET' ? undefined : {}));
    };
    const badIdentities = (): [string, Identity, RegExp][] => {
      const valid = signIdentity(superAdmin(), secret, { method: 'GET', path: '/conversations?tab=mine' });
      const [data, mac] = valid.split('.') as [string, string];
      const claims = JSON.parse(Buffer.from(data, 'base64url').toString('utf8')) as Record<string, unknown>;
      const tampered = Buffer.from(JSON.stringify({ ...claims, groupIds: [], operatorId: randomUUID() })).toString('base64url');
      return [
        ['missing', undefined, /missing or malformed/],
        ['empty', '', /missing or malformed/],
        ['one part', data, /missing or malformed/],
        ['three parts', `${valid}.extra`, /missing or malformed/],
        ['a Bearer prefix', `Bearer ${valid}`, /signature/],
        ['the wrong secret', as(superAdmin(), 'not-the-internal-secret-at-all'), /signature/],
        ['a tampered payload', `${tampered}.${mac}`, /signature/],
        ['an expired one', as(superAdmin(), secret, Date.now() - 120_000), /expired/],
        ['one signed for another request', valid, /signed for another request/],
        ['a signed non-JSON payload', `${Buffer.from('not json').toString('base64url')}.${createHmac('sha256', secret).update(Buffer.from('not json').toString('base64url')).digest('base64url')}`, /JSON/],
        ['a bad shape', signToken({ operatorId: 'admin', role: 'god', permissions: [], groupIds: [] }, secret, 60), /shape/],
        ['an extra claim', signToken({ ...superAdmin(), impersonate: randomUUID() }, secret, 60), /shape/],
      ];
    };

    it('D33: the conversation service answers 401 to every route for a missing, forged, tampered, expired, ill-shaped or replayed identity, and nothing moves', async () => {
      const before = (await admin.get(`/api/v1/conversations/${carol}`)).body;
      const routes: [Method, string, unknown?][] = [
        ['GET', '/conversations?tab=all'],
        ['GET', `/conversations/${carol}`],
        ...(['take', 'close', 'unassign', 'reopen', 'read'] as const).map((m): [Method, string] => ['POST', `/conversations/${carol}/${m}`]),
        ['GET', `/conversations/${carol}/messages`],
        ['POST', `/conversations/${carol}/messages`, { text: 'forged' }],
        ['GET', `/conversations/${carol}/log`],
      ];
      for (const [method, path, body] of routes) {
        for (const [what, header, message] of badIdentities()) {
          expectError(await call(stack.conversation.url, method, path, header, body), [401, 'unauthorized', message], `${method} ${path} with ${what}`);
        }
      }
      expect((await admin.get(`/api/v1/conversations/${carol}`)).body).toEqual(before);
      expect(await sql(`SELECT id FROM conversation.message WHERE text = 'forged'`)).toEqual([]);
    });

    it('D33: ingestion /channels answers 401 for a missing, forged, tampered, expired, ill-shaped or replayed identity, and creates or changes nothing', async () => {
      const before = (await admin.get('/api/v1/channels')).body.items;
      const routes: [Method, string, unknown?][] = [
        ['GET', '/channels'],
        ['POST', '/channels', { type: 'api', name: 'Forged', groupId: sales, settings: { apiKey: `forged-key-${randomUUID()}` } }],
        ['PATCH', `/channels/${apiChannel}`, { name: 'Forged' }],
      ];
      for (const [method, path, body] of routes) {
        for (const [what, header, message] of badIdentities()) {
          expectError(await call(stack.ingestion.url, method, path, header, body), [401, 'unauthorized', message], `${method} ${path} with ${what}`);
        }
      }
      expect((await admin.get('/api/v1/channels')).body.items).toEqual(before);
    });

    it('D34: ingestion /channels answers 403 to a correctly signed operator identity', async () => {
      const operator = as({ operatorId: annId, role: 'operator', permissions: ['conversations.manage', 'conversations.view_all', 'analytics.view'], groupIds: [] });
      expectError(await call(stack.ingestion.url, 'GET', '/channels', operator), [403, 'forbidden']);
      expectError(await call(stack.ingestion.url, 'POST', '/channels', operator, { type: 'api', name: 'Mine', groupId: sales, settings: { apiKey: `mine-key-${randomUUID()}` } }), [403, 'forbidden']);
      expectError(await call(stack.ingestion.url, 'PATCH', `/channels/${apiChannel}`, operator, { name: 'Mine' }), [403, 'forbidden']);
    });

    it('D33: with a valid identity the services still validate: bad ids, unknown fields, bad queries and bodies answer 400 naming the field', async () => {
      const id = as(superAdmin());
      const conv = stack.conversation.url;
      expectError(await call(conv, 'GET', '/conversations/not-a-uuid', id), [400, 'validation_failed', 'id']);
      expectError(await call(conv, 'POST', '/conversations/not-a-uuid/take', id), [400, 'validation_failed', 'id']);
      expectError(await call(conv, 'GET', '/conversations?tab=all&limit=101', id), [400, 'validation_failed', 'limit']);
      expectError(await call(conv, 'GET', '/conversations?tab=all&cursor=garbage', id), [400, 'validation_failed', 'cursor']);
      expectError(await call(conv, 'GET', '/conversations?tab=nope', id), [400, 'validation_failed', 'tab']);
      expectError(await call(conv, 'POST', `/conversations/${alice}/messages`, id, { text: 'hi', sender: 'admin' }), [400, 'validation_failed', 'sender']);
      expectError(await call(conv, 'POST', `/conversations/${alice}/messages`, id, { text: 42 }), [400, 'validation_failed', 'text']);
      expectError(await call(conv, 'GET', `/conversations/${alice}/messages?limit=0`, id), [400, 'validation_failed', 'limit']);
      expectError(await HttpClient.as(conv, superAdmin(), secret).send('POST', `/conversations/${alice}/messages`, undefined, {}, '{"text"'), [400, 'validation_failed', /JSON/]);
      expectError(await call(conv, 'POST', `/conversations/${alice}/messages`, id, { text: 't'.repeat(300 * 1024) }), [413, 'payload_too_large']);
      // ADR 8: the upload sweep's question, for a super_admin identity only.
      expectError(await call(conv, 'POST', '/attachments/held', id, { storageKeys: [] }), [400, 'validation_failed', 'storageKeys']);
      expectError(await call(conv, 'POST', '/attachments/held', id, { storageKeys: 'attachments/x' }), [400, 'validation_failed', 'storageKeys']);
      expectError(await call(conv, 'POST', '/attachments/held', id, { storageKeys: Array.from({ length: 201 }, (_, i) => `k${i}`) }), [400, 'validation_failed', 'storageKeys']);
      const operator = as({ operatorId: annId, role: 'operator', permissions: [], groupIds: [] });
      expectError(await call(conv, 'POST', '/attachments/held', operator, { storageKeys: ['attachments/x'] }), [403, 'forbidden']);
      expect((await call(conv, 'POST', '/attachments/held', id, { storageKeys: ["attachments/x'; DROP TABLE attachment; --"] })).body).toEqual({ held: [] });

      const channelsBefore = (await admin.get('/api/v1/channels')).body.items;
      const ing = stack.ingestion.url;
      expectError(await call(ing, 'POST', '/channels', id, { type: 'api', name: 'Direct', groupId: sales, settings: { apiKey: `direct-key-${randomUUID()}` }, secret: true }), [400, 'validation_failed', 'secret']);
      expectError(await call(ing, 'POST', '/channels', id, { type: 'api', name: 'Direct', groupId: 'nope', settings: { apiKey: 'short' } }), [400, 'validation_failed', /groupId[\s\S]*settings\.apiKey|settings\.apiKey[\s\S]*groupId/]);
      expectError(await call(ing, 'PATCH', '/channels/not-a-uuid', id, { name: 'X' }), [400, 'validation_failed', 'id']);
      expectError(await call(ing, 'PATCH', `/channels/${randomUUID()}`, id, { name: 'X' }), [404, 'not_found']);
      expectError(await call(ing, 'POST', '/channels', id, big()), [413, 'payload_too_large']);
      expect((await admin.get('/api/v1/channels')).body.items).toEqual(channelsBefore);
    });
  });

  describe('text PostgreSQL cannot store', () => {
    const STORED = ['gateway.groups', 'gateway.operators', 'ingestion.channel', 'ingestion.webchat_visitor_message', 'conversation.client', 'conversation.message', 'conversation.tag', 'conversation.message_tag', 'conversation.canned_response', 'conversation.transcript'];
    const rowCounts = async (): Promise<Record<string, number>> => {
      const counts: Record<string, number> = {};
      for (const table of STORED) counts[table] = Number((await sql<{ n: string }>(`SELECT count(*) AS n FROM ${table}`))[0]!.n);
      return counts;
    };
    const clientOf = async (conversationId: string) =>
      (await sql<{ id: string; name: string; note: string }>('SELECT cl.id, cl.name, cl.note FROM conversation.client cl JOIN conversation.conversation c ON c.client_id = cl.id WHERE c.id = $1', [conversationId]))[0]!;

    it('D33: a NUL or an unpaired surrogate in any text that would be stored answers 400 naming the field, on every service, and writes nothing', async () => {
      const nul = (s: string): string => `${s.slice(0, 1)}\u0000${s.slice(1)}`;
      const lone = (s: string): string => `${s}\uD800`;
      const client = await clientOf(alice);
      const [message] = await sql<{ id: string }>('SELECT id FROM conversation.message WHERE conversation_id = $1 LIMIT 1', [alice]);
      const visitor = ingest.bearer(visitorA.token).with({ origin });
      const operator = { email: `nul-${randomUUID().slice(0, 6)}@relaydesk.test`, password: 'nul-password', role: 'operator' };
      const before = await rowCounts();
      const cases: [string, Promise<Answer>, string][] = [
        ['group name', admin.post('/api/v1/groups', { name: nul('Billing') }), 'name'],
        ['operator name', admin.post('/api/v1/operators', { ...operator, name: nul('Nora') }), 'name'],
        ['operator rename', admin.patch(`/api/v1/operators/${annId}`, { name: lone('Ann') }), 'name'],
        ['channel name', admin.post('/api/v1/channels', { type: 'api', name: nul('Connector 2'), groupId: sales, settings: { apiKey: `k-${randomUUID()}` } }), 'name'],
        ['channel API key', admin.post('/api/v1/channels', { type: 'api', name: 'Connector 3', groupId: sales, settings: { apiKey: nul(`k-${randomUUID()}`) } }), 'apiKey'],
        ['channel rename', admin.patch(`/api/v1/channels/${apiChannel}`, { name: lone('Connector') }), 'name'],
        ['tag name', admin.post('/api/v1/tags', { name: nul('Refund') }), 'name'],
        ['tag look-up', admin.get('/api/v1/tags?prefix=re%00'), 'prefix'],
        ['canned title', ann.post('/api/v1/canned-responses', { title: nul('Hello'), text: 'Hello!' }), 'title'],
        ['canned look-up', ann.get('/api/v1/canned-responses?q=he%00'), 'q'],
        ['canned cursor', ann.get(`/api/v1/canned-responses?cursor=${Buffer.from(JSON.stringify(['he\u0000', randomUUID(), ''])).toString('base64url')}`), 'cursor'],
        ['reply', ann.post(`/api/v1/conversations/${alice}/messages`, { text: nul('Hello') }), 'text'],
        ['note', ann.post(`/api/v1/conversations/${alice}/notes`, { text: lone('Call back') }), 'text'],
        ['tag by name', ann.post(`/api/v1/conversations/${alice}/tags`, { messageIds: [message!.id], tagName: nul('Late') }), 'tagName'],
        ['client rename', ann.patch(`/api/v1/clients/${client.id}`, { name: nul('Alice') }), 'name'],
        ['client note', ann.put(`/api/v1/clients/${client.id}/note`, { note: lone('VIP') }), 'note'],
        ['mail subject', ann.post(`/api/v1/conversations/${alice}/transcript`, { to: 'alice@example.com', subject: lone('Your order') }), 'subject'],
        ['connector text', sendInbound('nul-1', 'nul-1', { text: nul('hello') }), 'text'],
        ['connector client name', sendInbound('nul-2', 'nul-2', { clientName: lone('Zed') }), 'clientName'],
        ['connector message id', sendInbound('nul-3', nul('nul-3')), 'externalMessageId'],
        ['webchat name', ingest.with({ origin }).post(`/ingest/v1/webchat/${webchatA}/sessions`, { name: nul('Vic') }), 'name'],
        ['webchat text', visitor.post(`/ingest/v1/webchat/${webchatA}/messages`, { text: lone('hi'), clientMessageId: 'nul-a' }), 'text'],
        ['webchat message id', visitor.post(`/ingest/v1/webchat/${webchatA}/messages`, { text: 'hi', clientMessageId: nul('nul-b') }), 'clientMessageId'],
      ];
      for (const [label, answer, field] of cases) expectError(await answer, [400, 'validation_failed', field], label);
      // What was accepted is stored through the bus: give it the time a neighbour message takes.
      expect((await sendInbound('nul-neighbour', 'nul-neighbour')).status).toBe(200);
      await storedMessage('nul-neighbour');
      expect(await rowCounts()).toEqual({ ...before, 'conversation.client': before['conversation.client']! + 1, 'conversation.message': before['conversation.message']! + 1 });
      expect(await clientOf(alice)).toEqual(client);
    });

    it('D33: a JSON body nested 5,000 levels deep answers 400 where the gateway passes bodies on to a service, and nothing is written', async () => {
      const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
      const client = await clientOf(alice);
      const before = await rowCounts();
      for (const [method, path] of [['POST', `/api/v1/conversations/${alice}/notes`], ['POST', '/api/v1/canned-responses'], ['PATCH', `/api/v1/clients/${client.id}`], ['POST', '/api/v1/tags']] as const) {
        expectError(await ann.send(method, path, undefined, {}, deep), [400, 'validation_failed', 'nested deeper than 32 levels'], path);
      }
      expect(await rowCounts()).toEqual(before);
    });
  });

  describe('afterwards', () => {
    it('D33: after all of this every service is still up and ready', async () => {
      for (const s of [stack.gateway, stack.ingestion, stack.routing, stack.conversation]) {
        expect({ service: s.name, exitCode: s.process.exitCode }).toEqual({ service: s.name, exitCode: null });
        expect({ service: s.name, ready: (await fetch(`${s.url}/ready`)).status }).toEqual({ service: s.name, ready: 200 });
      }
    });
  });
});
