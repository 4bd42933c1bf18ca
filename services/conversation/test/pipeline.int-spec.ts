import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { conversationChanged, type CallerIdentity, type ConversationChanged } from '@relaydesk/contracts';
import { internalRequest, signIdentity } from '@relaydesk/service-kit';
import { createTestEnv, startService, waitFor, type RunningService, type TestEnv } from '@relaydesk/testing';

/** Ingestion → routing → conversation over the real bus, spoken to with the gateway's signed identity. */
describe('inbound pipeline', () => {
  let env: TestEnv;
  let ingestion: RunningService;
  let routing: RunningService;
  let conversation: RunningService;
  const admin: CallerIdentity = { operatorId: randomUUID(), role: 'super_admin', permissions: [], groupIds: [] };
  const groupId = randomUUID();
  let channelId: string;
  const apiKey = `key-${randomUUID()}`;

  const call = async (svc: RunningService, path: string, init: RequestInit = {}, who = admin) => {
    const res = await fetch(`${svc.url}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', 'x-relaydesk-identity': signIdentity(who, env.env['INTERNAL_SECRET']!, internalRequest(init.method ?? 'GET', new URL(`${svc.url}${path}`))), ...(init.headers ?? {}) },
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const send = (externalClientId: string, externalMessageId: string, text: string) =>
    fetch(`${ingestion.url}/ingest/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ channel: 'api', channelId, externalClientId, clientName: `Client ${externalClientId}`, externalMessageId, sentAt: new Date().toISOString(), text }),
    });
  const storedCount = async (): Promise<number> => {
    let count = 0;
    let cursor: string | null = null;
    do {
      const page = await call(conversation, `/conversations?tab=all&limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      count += page.body.items.length;
      cursor = page.body.nextCursor;
    } while (cursor);
    return count;
  };

  beforeAll(async () => {
    env = await createTestEnv();
    [ingestion, routing, conversation] = await Promise.all([
      startService('ingestion', env.env),
      startService('routing', env.env),
      startService('conversation', env.env),
    ]);
    const created = await call(ingestion, '/channels', { method: 'POST', body: JSON.stringify({ type: 'api', name: 'Connector', groupId, settings: { apiKey } }) });
    expect(created.status).toBe(201);
    expect(created.body.settings).toEqual({});
    channelId = created.body.id;
  }, 60_000);

  afterAll(async () => {
    await Promise.all([ingestion, routing, conversation].map((s) => s?.stop()));
    await env?.dispose();
  });

  it('D6: a first client message creates an unassigned conversation in the channel group; a repeat is stored once', async () => {
    expect((await send('alice', 'a-1', 'Привет 👋')).status).toBe(200);
    expect((await send('alice', 'a-1', 'Привет 👋')).status).toBe(200);
    const item = await waitFor('listed', async () => (await call(conversation, '/conversations?tab=unassigned')).body.items[0]);
    expect(item).toMatchObject({ status: 'unassigned', group: { id: groupId }, client: { name: 'Client alice', channel: 'api' }, unreadCount: 1, lastMessage: { text: 'Привет 👋', direction: 'in' } });
    const messages = await call(conversation, `/conversations/${item.id}/messages`);
    expect(messages.body.items).toHaveLength(1);
  });

  it('the export pages through every conversation with all its messages, as conversation.changed at the current version', async () => {
    const before = await storedCount();
    for (const [client, texts] of [['exp-1', ['eins', 'zwei 🚀']], ['exp-2', ['un']], ['exp-3', ['один']]] as const) {
      for (const [k, text] of texts.entries()) expect((await send(client, `${client}-${k}`, text)).status).toBe(200);
    }
    const exportAll = async (): Promise<ConversationChanged[]> => {
      const exported: ConversationChanged[] = [];
      let after: string | null = null;
      do {
        const page: { status: number; body: { items: unknown[]; nextAfter: string | null; total?: number } } = await call(conversation, `/export/conversations?limit=2${after ? `&after=${after}` : ''}`);
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        if (!after) expect(page.body.total).toBe(before + 3);
        exported.push(...page.body.items.map((i) => conversationChanged.parse(i)));
        after = page.body.nextAfter;
      } while (after);
      return exported;
    };
    const exported = await waitFor('every message exported', async () => {
      const all = await exportAll().catch(() => []);
      return all.reduce((n, c) => n + c.messages.filter((m) => m.text !== null && ['eins', 'zwei 🚀', 'un', 'один'].includes(m.text)).length, 0) === 4 ? all : undefined;
    });
    expect(exported.map((c) => c.item.id)).toEqual([...exported.map((c) => c.item.id)].sort());
    const texts = (name: string) => exported.find((c) => c.item.client.name === `Client ${name}`)?.messages.map((m) => m.text);
    expect(texts('exp-1')).toEqual(['eins', 'zwei 🚀']);
    expect(texts('exp-3')).toEqual(['один']);
    expect((await call(conversation, '/export/conversations?limit=0')).status).toBe(400);
    expect((await call(conversation, '/export/conversations?after=nope')).status).toBe(400);
    const operator: CallerIdentity = { operatorId: randomUUID(), role: 'operator', permissions: ['conversations.view_all'], groupIds: [] };
    expect((await call(conversation, '/export/conversations', {}, operator)).status).toBe(403);
  });

  it('D33: nothing is lost when the conversation service is killed -9 while 1,000 messages flow', async () => {
    const before = await storedCount();
    const sending = (async () => {
      for (let i = 0; i < 1000; i += 50) {
        await Promise.all(Array.from({ length: 50 }, (_, k) => send(`crash-${(i + k) % 200}`, `crash-${i + k}`, `message ${i + k}`)));
      }
    })();
    await waitFor('some stored', async () => (await storedCount()) > before + 20, { timeoutMs: 30_000 });
    await conversation.kill();
    await sending;
    conversation = await startService('conversation', env.env);
    const db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
    const count = async () =>
      (
        await db.query(`SELECT count(*)::int AS stored, count(DISTINCT external_message_id)::int AS distinct_ids
                        FROM conversation.message WHERE external_message_id LIKE 'crash-%'`)
      ).rows[0] as { stored: number; distinct_ids: number };
    await waitFor('every message stored', async () => (await count()).stored >= 1000, { timeoutMs: 60_000, intervalMs: 250 }).catch(() => undefined);
    const stored = await count();
    await db.end();
    expect(stored).toEqual({ stored: 1000, distinct_ids: 1000 });
    expect(await storedCount()).toBe(before + 200);
  }, 120_000);
});
