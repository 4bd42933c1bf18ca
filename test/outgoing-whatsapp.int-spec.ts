import { Client } from 'pg';
import { createTestEnv, freePort, startService, startStack, waitFor, WhatsappStandIn, Workspace, HttpClient, type Stack, type TestEnv } from '@relaydesk/testing';

/** D29: outgoing WhatsApp conversations with the paid feature switched on, against a stand-in WhatsApp API. */
describe('outgoing WhatsApp conversations', () => {
  const accessToken = 'wa-access-token-123';
  const withWhatsApp = '+4915112345678';
  const withoutWhatsApp = '+4915199999999';
  let env: TestEnv;
  let stack: Stack;
  let standIn: WhatsappStandIn;
  let admin: HttpClient;
  let ann: { id: string; api: HttpClient };
  let bob: { id: string; api: HttpClient };
  let cid: { id: string; api: HttpClient };
  let sales: string;
  let support: string;
  let channelId: string;
  const conversationCount = async () => (await admin.get('/api/v1/conversations?tab=all&limit=100')).body.items.length as number;

  beforeAll(async () => {
    standIn = await WhatsappStandIn.start({ accessToken, withWhatsApp: [withWhatsApp, '+4917000000001'] });
    env = await createTestEnv();
    stack = await startStack(env.env, { FEATURE_OUTGOING_WHATSAPP: 'true' });
    const workspace = await Workspace.open(stack);
    admin = workspace.admin;
    sales = await workspace.group('Sales');
    support = await workspace.group('Support');
    ann = await workspace.operator('Ann', [sales]);
    bob = await workspace.operator('Bob', [sales, support]);
    cid = await workspace.operator('Cid', [support]);
    const created = await admin.post('/api/v1/channels', {
      type: 'whatsapp',
      name: 'WhatsApp',
      groupId: sales,
      settings: { phoneNumberId: '1098765432', accessToken, appSecret: 'app-secret-123', verifyToken: 'verify-token-123', apiBaseUrl: standIn.apiBaseUrl },
    });
    expect(created.status).toBe(201);
    channelId = created.body.id;
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await env?.dispose();
    await standIn?.stop();
  });

  it('D29: a whatsapp channel is created with its secrets write-only', async () => {
    const listed = (await admin.get('/api/v1/channels')).body.items.find((c: { id: string }) => c.id === channelId);
    expect(listed.settings).toEqual({ phoneNumberId: '1098765432', apiBaseUrl: standIn.apiBaseUrl });
  });

  it('channel secrets are encrypted at rest, and the adapter still speaks with the decrypted token', async () => {
    const db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query('SELECT settings::text AS settings FROM ingestion.channel WHERE id = $1', [channelId]);
      expect(rows[0].settings).not.toContain(accessToken);
      expect(rows[0].settings).not.toContain('app-secret-123');
      expect(rows[0].settings).toContain('1098765432');
    } finally {
      await db.end();
    }
    expect((await ann.api.post('/api/v1/outgoing/check', { phone: withWhatsApp })).body.hasWhatsApp).toBe(true);
    expect(standIn.requestsTo('/v1/contacts').at(-1)!.authorization).toBe(`Bearer ${accessToken}`);
  });

  it('D29: the number check answers per the WhatsApp API, asked with the contacts node and the token', async () => {
    const yes = await ann.api.post('/api/v1/outgoing/check', { phone: '+49 151 1234-5678' });
    expect(yes.status).toBe(200);
    expect(yes.body).toEqual({ phone: withWhatsApp, hasWhatsApp: true, existingClient: null });
    const no = await ann.api.post('/api/v1/outgoing/check', { phone: withoutWhatsApp });
    expect(no.body).toEqual({ phone: withoutWhatsApp, hasWhatsApp: false, existingClient: null });
    const asked = standIn.requestsTo('/v1/contacts').at(-1)!;
    expect(asked).toMatchObject({ method: 'POST', authorization: `Bearer ${accessToken}`, body: { blocking: 'wait', contacts: [withoutWhatsApp], force_check: true } });
  });

  it('D29: the stand-in takes a Cloud API send, for the outbound adapter to come', async () => {
    const sent = await new HttpClient(standIn.apiBaseUrl).bearer(accessToken).post('/1098765432/messages', { messaging_product: 'whatsapp', to: '4915112345678', type: 'text', text: { body: 'Hi' } });
    expect(sent.body).toEqual({ messaging_product: 'whatsapp', contacts: [{ input: '4915112345678', wa_id: '4915112345678' }], messages: [{ id: expect.stringMatching(/^wamid\./) }] });
    expect(standIn.requestsTo('/1098765432/messages').at(-1)?.body).toMatchObject({ to: '4915112345678', text: { body: 'Hi' } });
  });

  it('D29: a number with WhatsApp starts a conversation in my inbox', async () => {
    const started = await ann.api.post('/api/v1/outgoing', { phone: withWhatsApp, clientName: 'Ivy Outgoing', text: 'Hello Ivy 👋' });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({
      client: { name: 'Ivy Outgoing', channel: 'whatsapp' },
      status: 'in_progress',
      assignee: { id: ann.id, name: 'Ann' },
      group: { id: sales, name: 'Sales' },
      lastMessageByOperator: true,
      lastMessage: { text: 'Hello Ivy 👋', direction: 'out' },
    });
    const id = started.body.id as string;
    expect((await ann.api.get('/api/v1/conversations?tab=mine')).body.items.map((i: { id: string }) => i.id)).toEqual([id]);
    const messages = (await ann.api.get(`/api/v1/conversations/${id}/messages`)).body.items;
    expect(messages).toEqual([expect.objectContaining({ direction: 'out', kind: 'text', text: 'Hello Ivy 👋', sender: { type: 'operator', id: ann.id, name: 'Ann' } })]);
    const log = (await ann.api.get(`/api/v1/conversations/${id}/log`)).body.items;
    expect(log).toEqual([expect.objectContaining({ action: 'created', actor: { id: ann.id, name: 'Ann' }, from: null, to: { status: 'in_progress', assigneeId: ann.id, groupId: sales } })]);
    const profile = (await ann.api.get(`/api/v1/clients/${started.body.client.id}`)).body;
    expect(profile).toMatchObject({ name: 'Ivy Outgoing', channel: 'whatsapp', externalId: '4915112345678', phone: withWhatsApp });
    await waitFor('my inbox counter', async () => (await ann.api.get('/api/v1/conversations/counters')).body.mine === 1);
  });

  it('D29, D5: a number that is already a client reuses his one conversation', async () => {
    const [mine] = (await ann.api.get('/api/v1/conversations?tab=mine')).body.items;
    expect((await ann.api.post(`/api/v1/conversations/${mine.id}/close`)).status).toBe(200);
    const again = await ann.api.post('/api/v1/outgoing', { phone: withWhatsApp, clientName: 'Another name', text: 'Back again' });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ id: mine.id, client: { id: mine.client.id, name: 'Ivy Outgoing' }, status: 'in_progress', assignee: { id: ann.id } });
    const log = (await ann.api.get(`/api/v1/conversations/${mine.id}/log`)).body.items;
    expect(log.map((e: { action: string }) => e.action)).toEqual(['created', 'closed', 'reopened']);
    expect((await ann.api.get(`/api/v1/conversations/${mine.id}/messages`)).body.items).toHaveLength(2);
    await waitFor('my inbox counter', async () => (await ann.api.get('/api/v1/conversations/counters')).body.mine === 1);
  });

  it('D29: a conversation held by another operator answers 409 and stays his; the check says so before anything is typed', async () => {
    expect((await bob.api.post('/api/v1/outgoing/check', { phone: withWhatsApp })).body.existingClient).toEqual({ inYourGroups: true, name: 'Ivy Outgoing', heldByAnother: true, blacklisted: false });
    expect((await ann.api.post('/api/v1/outgoing/check', { phone: withWhatsApp })).body.existingClient).toEqual({ inYourGroups: true, name: 'Ivy Outgoing', heldByAnother: false, blacklisted: false });
    const before = await conversationCount();
    const taken = await bob.api.post('/api/v1/outgoing', { phone: withWhatsApp, clientName: 'Ivy', text: 'Mine now?', groupId: sales });
    expect(taken.status).toBe(409);
    expect(taken.body.error.message).toMatch(/another operator/);
    const [mine] = (await ann.api.get('/api/v1/conversations?tab=mine')).body.items;
    expect(mine).toMatchObject({ assignee: { id: ann.id }, lastMessage: { text: 'Back again' } });
    expect(await conversationCount()).toBe(before);
  });

  it('D29: one Idempotency-Key sent five times at once starts one conversation and sends its text once; another text under it is 409', async () => {
    const phone = '+4917000000001';
    const sentBefore = standIn.sentMessages().length;
    const body = { phone, clientName: 'Una Once', text: 'Only once, please' };
    const answers = await Promise.all(Array.from({ length: 5 }, () => ann.api.post('/api/v1/outgoing', body, { 'idempotency-key': 'outgoing-una-1' })));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(4);
    const id = answers[0]!.body.id as string;
    expect(new Set(answers.map((a) => a.body.id))).toEqual(new Set([id]));
    expect((await ann.api.get(`/api/v1/conversations/${id}/messages`)).body.items.map((m: { text: string }) => m.text)).toEqual(['Only once, please']);
    await waitFor('sent to WhatsApp', async () => standIn.sentMessages().length > sentBefore);
    expect(standIn.sentMessages().slice(sentBefore).filter((m) => (m['text'] as { body?: string } | undefined)?.body === 'Only once, please')).toHaveLength(1);
    const reused = await ann.api.post('/api/v1/outgoing', { ...body, text: 'Something else' }, { 'idempotency-key': 'outgoing-una-1' });
    expect({ status: reused.status, message: reused.body.error?.message }).toEqual({ status: 409, message: expect.stringMatching(/Idempotency-Key was used for another message/) });
    expect((await ann.api.post(`/api/v1/conversations/${id}/close`)).status).toBe(200);
    // A retry arriving late, after the conversation was closed, answers the first send and moves nothing.
    const late = await ann.api.post('/api/v1/outgoing', body, { 'idempotency-key': 'outgoing-una-1' });
    expect({ status: late.status, replayed: late.headers.get('idempotent-replayed'), id: late.body.id }).toEqual({ status: 201, replayed: 'true', id });
    expect((await ann.api.get(`/api/v1/conversations/${id}`)).body.status).toBe('closed');
    expect((await ann.api.get(`/api/v1/conversations/${id}/log`)).body.items.map((e: { action: string }) => e.action)).toEqual(['created', 'closed']);
  });

  it("D29, D3: writing first to a client of another group's conversation is refused (403); it stays there, unread by me", async () => {
    const [una] = (await ann.api.get('/api/v1/conversations?tab=closed')).body.items.filter((i: { client: { name: string } }) => i.client.name === 'Una Once');
    expect((await cid.api.post('/api/v1/outgoing/check', { phone: '+4917000000001' })).body.existingClient).toEqual({ inYourGroups: false });
    const refused = await cid.api.post('/api/v1/outgoing', { phone: '+4917000000001', clientName: 'Una', text: 'Support here' });
    expect({ status: refused.status, message: refused.body.error?.message }).toEqual({ status: 403, message: expect.stringMatching(/group you are not in/) });
    expect((await admin.get(`/api/v1/conversations/${una.id}`)).body).toMatchObject({ status: 'closed', group: { id: sales } });
    expect((await admin.get(`/api/v1/conversations/${una.id}/messages`)).body.items).toHaveLength(1);
    expect((await cid.api.get(`/api/v1/conversations/${una.id}`)).status).toBe(404);
  });

  it('D29: a number without WhatsApp answers 422 and stores nothing', async () => {
    const before = await conversationCount();
    const refused = await ann.api.post('/api/v1/outgoing', { phone: withoutWhatsApp, clientName: 'Nobody', text: 'Hi' });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'unprocessable', message: expect.stringMatching(/no WhatsApp/) });
    expect(await conversationCount()).toBe(before);
  });

  it('D33: a bad phone number answers 400 naming the field', async () => {
    for (const phone of ['4915112345678', '+49 151', '+49abc12345678', '+1234567890123456', 42]) {
      const check = await ann.api.post('/api/v1/outgoing/check', { phone });
      expect(check.status).toBe(400);
      expect(check.body.error.details[0].path).toBe('phone');
      expect((await ann.api.post('/api/v1/outgoing', { phone, clientName: 'X', text: 'Hi' })).status).toBe(400);
    }
    expect((await ann.api.post('/api/v1/outgoing', { phone: withWhatsApp, clientName: '', text: 'Hi' })).status).toBe(400);
    expect((await ann.api.post('/api/v1/outgoing', { phone: withWhatsApp, clientName: 'X', text: '' })).status).toBe(400);
    expect((await ann.api.post('/api/v1/outgoing', { phone: withWhatsApp, clientName: 'X', text: '  ' })).status).toBe(400);
  });

  it('D29, D3: the group must be one of mine (403), and is required when I am in several (400)', async () => {
    const notMine = await ann.api.post('/api/v1/outgoing', { phone: '+4917000000001', clientName: 'Zed', text: 'Hi', groupId: support });
    expect(notMine.status).toBe(403);
    expect(notMine.body.error.message).toMatch(/one of your groups/);
    const several = await bob.api.post('/api/v1/outgoing', { phone: '+4917000000001', clientName: 'Zed', text: 'Hi' });
    expect(several.status).toBe(400);
    expect(several.body.error.details[0].path).toBe('groupId');
    const chosen = await bob.api.post('/api/v1/outgoing', { phone: '+4917000000001', clientName: 'Zed', text: 'Hi', groupId: support });
    expect(chosen.status).toBe(201);
    expect(chosen.body).toMatchObject({ group: { id: support }, assignee: { id: bob.id }, status: 'in_progress' });
    // D34: another operator of that group does not see a conversation Bob holds.
    expect((await cid.api.get(`/api/v1/conversations/${chosen.body.id}`)).status).toBe(404);
    // Without groups of his own (a super_admin here), the WhatsApp channel's default group applies.
    standIn.setHasWhatsApp('+4917000000002');
    const byAdmin = await admin.post('/api/v1/outgoing', { phone: '+4917000000002', clientName: 'Una', text: 'Hi' });
    expect(byAdmin.status).toBe(201);
    expect(byAdmin.body).toMatchObject({ group: { id: sales }, status: 'in_progress' });
  });

  it('D29: the WhatsApp API failing or out of reach answers 503, never 500', async () => {
    standIn.failWith = 500;
    try {
      const failing = await ann.api.post('/api/v1/outgoing/check', { phone: withWhatsApp });
      expect(failing.status).toBe(503);
      expect(failing.body.error.message).toMatch(/WhatsApp API/);
      expect((await ann.api.post('/api/v1/outgoing', { phone: withWhatsApp, clientName: 'Ivy', text: 'Hi' })).status).toBe(503);
    } finally {
      standIn.failWith = undefined;
    }
    const dead = `http://127.0.0.1:${await freePort()}/v1`;
    expect((await admin.patch(`/api/v1/channels/${channelId}`, { settings: { apiBaseUrl: dead } })).status).toBe(200);
    try {
      const unreachable = await ann.api.post('/api/v1/outgoing/check', { phone: withWhatsApp });
      expect(unreachable.status).toBe(503);
      expect(unreachable.body.error.message).toMatch(/cannot be reached/);
    } finally {
      await admin.patch(`/api/v1/channels/${channelId}`, { settings: { apiBaseUrl: standIn.apiBaseUrl } });
    }
    expect((await ann.api.post('/api/v1/outgoing/check', { phone: withWhatsApp })).body.hasWhatsApp).toBe(true);
  });

  it('D29: with the feature off, the outgoing endpoints answer 404', async () => {
    const off = await startService('gateway', { ...stack.env, CONVERSATION_URL: stack.conversation.url, INGESTION_URL: stack.ingestion.url, FEATURE_OUTGOING_WHATSAPP: 'false' });
    try {
      const api = new HttpClient(off.url).bearer(ann.api.token!);
      expect((await api.get('/api/v1/features')).body).toEqual({ outgoingWhatsApp: false });
      expect((await api.post('/api/v1/outgoing/check', { phone: withWhatsApp })).status).toBe(404);
      expect((await api.post('/api/v1/outgoing', { phone: withWhatsApp, clientName: 'Ivy', text: 'Hi' })).status).toBe(404);
    } finally {
      await off.stop();
    }
  });
});
