import { Client } from 'pg';
import { createTestEnv, startStack, waitFor, Workspace, type HttpClient, type Stack, type TestEnv } from '@relaydesk/testing';

/** D27: a blacklisted client's messages are stored and reach no operator; unlocking brings them back. */
describe('blacklist', () => {
  let env: TestEnv;
  let stack: Stack;
  let admin: HttpClient;
  let ann: HttpClient;
  let viewer: HttpClient;
  let send: (client: string, text: string) => Promise<unknown>;
  const ids: Record<string, string> = {};

  const storedTexts = async (client: string): Promise<string[]> => {
    const db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
    try {
      return (await db.query(`SELECT m.text FROM conversation.message m JOIN conversation.conversation c ON c.id = m.conversation_id JOIN conversation.client cl ON cl.id = c.client_id WHERE cl.external_id = $1 ORDER BY m.created_at, m.id`, [client])).rows.map((r) => r.text as string);
    } finally {
      await db.end();
    }
  };
  const tab = async (who: HttpClient, name: string) => (await who.get(`/api/v1/conversations?tab=${name}`)).body.items as any[];

  beforeAll(async () => {
    env = await createTestEnv();
    stack = await startStack(env.env);
    const workspace = await Workspace.open(stack);
    admin = workspace.admin;
    const sales = await workspace.group('Sales');
    ann = (await workspace.operator('Ann', [sales])).api;
    viewer = (await workspace.operator('Vic', [sales], ['conversations.view_all'])).api;
    send = (await workspace.apiChannel(sales)).send;
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await env?.dispose();
  });

  it('D27: any operator who can open the conversation blacklists its client; the Blacklist tab lists it', async () => {
    await send('spam', 'buy now!!!');
    const id = await waitFor('listed', async () => (await tab(ann, 'unassigned')).find((i) => i.client.name === 'spam')?.id);
    ids['spam'] = id;
    const res = await ann.post(`/api/v1/conversations/${id}/blacklist`);
    expect(res.status).toBe(200);
    expect(res.body.client.blacklisted).toBe(true);
    expect((await tab(ann, 'unassigned')).map((i) => i.id)).not.toContain(id);
    expect((await tab(viewer, 'blacklist')).map((i) => i.id)).toEqual([id]);
    // D14: a blacklisted conversation is counted, and listed, under Blacklist alone.
    expect((await tab(viewer, 'all')).map((i) => i.id)).not.toContain(id);
    await waitFor('#10 moved to Blacklist', async () => {
      const { all, blacklist } = (await viewer.get('/api/v1/conversations/counters')).body.unread;
      return all === 0 && blacklist === 1 ? true : undefined;
    });
    expect((await ann.get('/api/v1/conversations?tab=blacklist')).status).toBe(403);
    expect((await ann.post(`/api/v1/conversations/${id}/blacklist`)).status).toBe(409);
    expect((await admin.get(`/api/v1/conversations/${id}/log`)).body.items.at(-1)).toMatchObject({ action: 'blacklisted', actor: { name: 'Ann' } });
  });

  it('D27: later messages are stored but reach no operator: no Unassigned item, no unread count', async () => {
    const before = (await viewer.get(`/api/v1/conversations/${ids['spam']}`)).body.unreadCount;
    await send('spam', 'still spamming');
    await waitFor('stored', async () => (await storedTexts('spam')).includes('still spamming'));
    const item = (await viewer.get(`/api/v1/conversations/${ids['spam']}`)).body;
    expect(item.unreadCount).toBe(before);
    expect((await tab(ann, 'unassigned')).map((i) => i.id)).not.toContain(ids['spam']);
  });

  it('D27: unlocking needs the Blacklist tab permission; a client who wrote meanwhile goes to Unassigned', async () => {
    expect((await ann.delete(`/api/v1/conversations/${ids['spam']}/blacklist`)).status).toBe(403);
    const unlocked = await viewer.delete(`/api/v1/conversations/${ids['spam']}/blacklist`);
    expect(unlocked.status).toBe(200);
    expect(unlocked.body).toMatchObject({ status: 'unassigned', client: { blacklisted: false } });
    expect((await tab(ann, 'unassigned')).map((i) => i.id)).toContain(ids['spam']);
    expect((await admin.get(`/api/v1/conversations/${ids['spam']}/log`)).body.items.at(-1)).toMatchObject({ action: 'unlocked', actor: { name: 'Vic' }, to: { status: 'unassigned' } });
    expect((await viewer.delete(`/api/v1/conversations/${ids['spam']}/blacklist`)).status).toBe(409);
  });

  it('D27: a client unlocked without having written stays as he was', async () => {
    await send('quiet', 'one question');
    const id = await waitFor('listed', async () => (await tab(ann, 'unassigned')).find((i) => i.client.name === 'quiet')?.id);
    await ann.post(`/api/v1/conversations/${id}/take`);
    await ann.post(`/api/v1/conversations/${id}/blacklist`);
    expect((await tab(ann, 'mine')).map((i) => i.id)).not.toContain(id);
    expect((await tab(viewer, 'all')).map((i) => i.id)).not.toContain(id);
    const unlocked = await admin.delete(`/api/v1/conversations/${id}/blacklist`);
    expect(unlocked.body).toMatchObject({ status: 'in_progress', assignee: { name: 'Ann' }, client: { blacklisted: false } });
    expect((await tab(ann, 'mine')).map((i) => i.id)).toContain(id);
  });
});
