import { createTestEnv, EventTap, startStack, waitFor, Workspace, type HttpClient, type Stack, type TestEnv } from '@relaydesk/testing';
import { Client } from 'pg';

type Message = { id: string; text: string | null; kind: string; tags: { id: string; name: string }[] };

/** D24 through the gateway: the tag list, tagging messages, and what bad input gets (D33, D34). */
describe('tags', () => {
  let env: TestEnv;
  let stack: Stack;
  let db: Client;
  let tap: EventTap; // message.tagged as the conversation service emits it
  let admin: HttpClient;
  let ann: HttpClient; // Sales
  let sam: HttpClient; // Support
  let first: string; // a Sales conversation
  let second: string; // another Sales conversation
  let sendSales: (client: string, text: string) => Promise<unknown>;

  const conversationOf = (client: string): Promise<string> =>
    waitFor(`${client}'s conversation`, async () => ((await admin.get('/api/v1/conversations?tab=all&limit=100')).body.items as { id: string; client: { name: string } }[]).find((i) => i.client.name === client)?.id);
  const messagesOf = async (who: HttpClient, conversationId: string): Promise<Message[]> => (await who.get(`/api/v1/conversations/${conversationId}/messages`)).body.items;
  const tagRows = async () => Number((await db.query('SELECT count(*) FROM conversation.message_tag')).rows[0].count);

  beforeAll(async () => {
    env = await createTestEnv();
    stack = await startStack(env.env);
    db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
    tap = await EventTap.open(env.amqpUrl, 'events', ['message.tagged']);
    const workspace = await Workspace.open(stack);
    admin = workspace.admin;
    const sales = await workspace.group('Sales');
    const support = await workspace.group('Support');
    ann = (await workspace.operator('Ann', [sales])).api;
    sam = (await workspace.operator('Sam', [support])).api;
    sendSales = (await workspace.apiChannel(sales)).send;
    await sendSales('Olga', 'Where is my refund? 💸');
    await sendSales('Olga', 'Order 1042');
    await sendSales('Pavel', 'Hello');
    first = await conversationOf('Olga');
    second = await conversationOf('Pavel');
    await waitFor('both of Olga’s messages', async () => (await messagesOf(ann, first)).length === 2);
  }, 120_000);

  afterAll(async () => {
    await tap?.close();
    await db?.end();
    await stack?.stop();
    await env?.dispose();
  });

  it('D24: a new tag joins the list; the same name in another case or spacing answers the existing tag', async () => {
    const made = await ann.post('/api/v1/tags', { name: '  Refund   request ' });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: 'Refund request', id: expect.any(String) });
    const again = await sam.post('/api/v1/tags', { name: 'REFUND REQUEST' });
    expect({ status: again.status, id: again.body.id, name: again.body.name }).toEqual({ status: 200, id: made.body.id, name: 'Refund request' });
    await ann.post('/api/v1/tags', { name: 'Доставка 🚚' });
    const all = (await sam.get('/api/v1/tags')).body.items.map((t: { name: string }) => t.name);
    expect(all).toEqual(expect.arrayContaining(['Refund request', 'Доставка 🚚']));
    expect((await ann.get('/api/v1/tags?prefix=REF')).body.items.map((t: { name: string }) => t.name)).toEqual(['Refund request']);
    expect((await ann.get(`/api/v1/tags?prefix=${encodeURIComponent('дост')}`)).body.items.map((t: { name: string }) => t.name)).toEqual(['Доставка 🚚']);
  });

  it('D24: tags page by name, since they are never deleted and anyone adds them; a cursor of another prefix is 400', async () => {
    for (const name of ['Page c', 'page A', 'Page b', 'Page d']) await ann.post('/api/v1/tags', { name });
    const names = (page: { body: { items: { name: string }[] } }) => page.body.items.map((t) => t.name);
    const first = await ann.get('/api/v1/tags?prefix=page&limit=3');
    expect({ names: names(first), more: typeof first.body.nextCursor }).toEqual({ names: ['page A', 'Page b', 'Page c'], more: 'string' });
    const second = await ann.get(`/api/v1/tags?prefix=page&limit=3&cursor=${first.body.nextCursor}`);
    expect({ names: names(second), next: second.body.nextCursor }).toEqual({ names: ['Page d'], next: null });
    expect((await ann.get(`/api/v1/tags?prefix=ref&cursor=${first.body.nextCursor}`)).status).toBe(400);
    expect((await ann.get('/api/v1/tags?limit=101')).status).toBe(400);
  });

  it('D24: tags can be neither renamed nor deleted (405)', async () => {
    const tag = (await admin.post('/api/v1/tags', { name: 'Keep me' })).body;
    const renamed = await admin.patch(`/api/v1/tags/${tag.id}`, { name: 'Other' });
    const deleted = await admin.delete(`/api/v1/tags/${tag.id}`);
    expect([renamed.status, renamed.body.error.code, deleted.status]).toEqual([405, 'method_not_allowed', 405]);
    expect((await admin.get('/api/v1/tags?prefix=keep')).body.items).toEqual([expect.objectContaining({ id: tag.id, name: 'Keep me' })]);
  });

  it('D24: tag names that are empty, only spaces or invisible characters, or over 50 characters get a clear 400', async () => {
    for (const name of ['', '   ', '\t\n', '\u200b', '\u200d\u2060 \ufeff', 'x'.repeat(51), 42]) {
      const answer = await ann.post('/api/v1/tags', { name });
      expect({ name, status: answer.status, code: answer.body.error?.code }).toEqual({ name, status: 400, code: 'validation_failed' });
    }
    expect((await ann.post('/api/v1/tags', { name: 'y'.repeat(50) })).status).toBe(201);
    const ids = (await messagesOf(ann, first)).map((m) => m.id);
    expect((await ann.post(`/api/v1/conversations/${first}/tags`, { messageIds: ids, tagName: '\u200b' })).status).toBe(400);
    expect((await ann.get('/api/v1/tags')).body.items.map((t: { name: string }) => t.name)).not.toContain('\u200b');
  });

  it('D24: several messages tagged at once, a tag created on the spot; tags show on the messages; the same tag twice is one', async () => {
    const ids = (await messagesOf(ann, first)).map((m) => m.id);
    const tagged = await ann.post(`/api/v1/conversations/${first}/tags`, { messageIds: ids, tagName: 'Angry client 😠' });
    expect(tagged.status).toBe(200);
    expect(tagged.body.tag).toMatchObject({ name: 'Angry client 😠' });
    expect(tagged.body.items.map((m: Message) => m.tags.map((t) => t.name))).toEqual([['Angry client 😠'], ['Angry client 😠']]);

    const again = await ann.post(`/api/v1/conversations/${first}/tags`, { messageIds: [ids[0], ids[0]], tagId: tagged.body.tag.id });
    expect(again.status).toBe(200);
    await ann.post(`/api/v1/conversations/${first}/tags`, { messageIds: [ids[0]], tagName: 'refund request' });
    // One event per tagging that put a tag on something: the repeat named nothing new.
    const events = await waitFor('two message.tagged', async () => (tap.of('message.tagged').length >= 2 ? tap.of<{ tag: { name: string }; messages: { id: string }[]; assigneeId: string | null }>('message.tagged') : undefined));
    expect(events.map((e) => [e.payload.tag.name, e.payload.messages.map((m) => m.id)])).toEqual([
      ['Angry client 😠', ids],
      ['Refund request', [ids[0]]],
    ]);
    const shown = await messagesOf(ann, first);
    expect(shown.map((m) => m.tags.map((t) => t.name))).toEqual([['Angry client 😠', 'Refund request'], ['Angry client 😠']]);
    expect((await ann.get('/api/v1/tags?prefix=angry')).body.items).toHaveLength(1);
  });

  it('D24: ids of another conversation, too many ids, both or neither tag fields: 400 and nothing tagged', async () => {
    const mine = (await messagesOf(ann, first))[0]!.id;
    const other = (await messagesOf(ann, second))[0]!.id;
    const before = await tagRows();
    const tagsBefore = (await ann.get('/api/v1/tags')).body.items.length;
    const bodies = [
      { messageIds: [mine, other], tagName: 'Brand new 1' },
      { messageIds: Array.from({ length: 501 }, () => mine), tagName: 'Brand new 2' },
      { messageIds: [], tagName: 'Brand new 3' },
      { messageIds: [mine] },
      { messageIds: [mine], tagName: 'Brand new 4', tagId: mine },
      { messageIds: ['not-a-uuid'], tagName: 'Brand new 5' },
      { messageIds: [mine], tagName: ' ' },
    ];
    for (const body of bodies) {
      const answer = await ann.post(`/api/v1/conversations/${first}/tags`, body);
      expect({ body: JSON.stringify(body).slice(0, 80), status: answer.status }).toEqual({ body: JSON.stringify(body).slice(0, 80), status: 400 });
    }
    expect(await tagRows()).toBe(before);
    expect((await ann.get('/api/v1/tags')).body.items.length).toBe(tagsBefore);
  });

  it('D24: an unknown tag id is 404; a conversation the caller may not open is 404 (D34) and nothing is tagged', async () => {
    const mine = (await messagesOf(ann, first))[0]!.id;
    const before = await tagRows();
    const unknownTag = await ann.post(`/api/v1/conversations/${first}/tags`, { messageIds: [mine], tagId: '0193a5b0-0000-7000-8000-000000000000' });
    expect(unknownTag.status).toBe(404);
    const otherGroup = await sam.post(`/api/v1/conversations/${first}/tags`, { messageIds: [mine], tagName: 'Sneaky' });
    expect(otherGroup.status).toBe(404);
    const unknownConversation = await ann.post('/api/v1/conversations/0193a5b0-0000-7000-8000-000000000001/tags', { messageIds: [mine], tagName: 'Sneaky' });
    expect(unknownConversation.status).toBe(404);
    expect(await tagRows()).toBe(before);
    expect((await ann.get('/api/v1/tags?prefix=sneaky')).body.items).toEqual([]);
  });
});
