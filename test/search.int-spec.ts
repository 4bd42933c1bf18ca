import { createTestEnv, freePort, startService, waitFor, startStack, Workspace, type Answer, type HttpClient, type Stack, type TestEnv } from '@relaydesk/testing';

type Hit = {
  conversation: { id: string; client: { name: string; blacklisted: boolean }; group: { id: string; name: string | null }; status: string; assignee: { id: string } | null };
  nameHighlight: [number, number][];
  messageCount: number;
  matches: { messageId: string; kind: string; text: string; createdAt: string; highlight: [number, number][] }[];
};
type Page = { items: Hit[]; nextCursor: string | null };

/** D26 through the whole stack: a client writes, the search service indexes it, the gateway answers. */
describe('search', () => {
  let env: TestEnv;
  let stack: Stack;
  let admin: HttpClient;
  let ann: HttpClient; // Sales
  let bob: HttpClient; // Sales
  let vic: HttpClient; // Sales, conversations.view_all
  let sam: HttpClient; // Support
  let annId: string;
  let sales: string;
  let sendSales: (client: string, text: string) => Promise<unknown>;
  let sendSupport: (client: string, text: string) => Promise<unknown>;

  const search = (who: HttpClient, q: string, more = ''): Promise<Answer<Page>> => who.get(`/api/v1/search?q=${encodeURIComponent(q)}${more}`);
  const found = async (who: HttpClient, q: string): Promise<string[]> => {
    const answer = await search(who, q);
    if (answer.status !== 200) throw new Error(`search ${q}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body.items.map((h) => h.conversation.client.name);
  };
  const conversationOf = (client: string): Promise<string> =>
    waitFor(`${client}'s conversation`, async () => ((await admin.get('/api/v1/conversations?tab=all&limit=100')).body.items as { id: string; client: { name: string } }[]).find((i) => i.client.name === client)?.id);

  beforeAll(async () => {
    env = await createTestEnv();
    stack = await startStack(env.env);
    const workspace = await Workspace.open(stack);
    admin = workspace.admin;
    sales = await workspace.group('Sales');
    const support = await workspace.group('Support');
    const annOperator = await workspace.operator('Ann', [sales]);
    ann = annOperator.api;
    annId = annOperator.id;
    bob = (await workspace.operator('Bob', [sales])).api;
    vic = (await workspace.operator('Vic', [sales], ['conversations.view_all'])).api;
    sam = (await workspace.operator('Sam', [support])).api;
    sendSales = (await workspace.apiChannel(sales)).send;
    sendSupport = (await workspace.apiChannel(support)).send;
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await env?.dispose();
  });

  it('D26: a client\'s message becomes searchable, grouped per conversation, highlighted, with names (indexing lag printed)', async () => {
    const fromSent: number[] = [];
    const fromStored: number[] = [];
    for (let i = 0; i < 5; i++) {
      const word = `xylophone${i}`;
      const sent = Date.now();
      await sendSales(`Zoë Quinn ${i}`, `my parcel ${word} arrived Broken`);
      const hit = await waitFor(`${word} searchable`, async () => (await search(admin, word)).body.items[0], { intervalMs: 5 });
      fromSent.push(Date.now() - sent);
      fromStored.push(Date.now() - Date.parse(hit.matches[0]!.createdAt));
    }
    console.info(`search lag (ms): sent → searchable ${fromSent.join(', ')}; stored → searchable ${fromStored.join(', ')}`);

    const { body } = await search(ann, 'xyloPHONE2 BROK');
    expect(body.items).toHaveLength(1);
    const [hit] = body.items;
    expect(hit).toMatchObject({ conversation: { client: { name: 'Zoë Quinn 2' }, group: { id: sales, name: 'Sales' } }, messageCount: 1, nameHighlight: [] });
    expect(hit?.matches).toEqual([expect.objectContaining({ kind: 'text', text: 'my parcel xylophone2 arrived Broken', highlight: [[10, 20], [29, 35]] })]);

    const byName = (await search(ann, 'ZOE QUI')).body;
    expect(byName.items).toHaveLength(5);
    expect(byName.items[0]).toMatchObject({ conversation: { client: { name: 'Zoë Quinn 4' } }, nameHighlight: [[0, 3], [4, 9]] });
  });

  it('D26: fewer than 3 characters is refused with a clear 400', async () => {
    for (const q of ['ab', '  ab  ', '']) {
      const answer = await search(ann, q);
      expect({ q, status: answer.status, code: (answer.body as any).error?.code }).toEqual({ q, status: 400, code: 'validation_failed' });
      expect((answer.body as any).error.message).toMatch(/at least 3 characters/);
    }
  });

  it('D26, D34: only conversations the caller may open: another group\'s, one held by another (All tab only), blacklisted (All tab only)', async () => {
    await sendSupport('Support Walrus', 'walrus question');
    await sendSales('Sales Walrus', 'walrus question');
    await waitFor('both indexed', async () => (await found(admin, 'walrus')).length === 2);
    expect(await found(sam, 'walrus')).toEqual(['Support Walrus']);
    expect(await found(ann, 'walrus')).toEqual(['Sales Walrus']);

    const salesWalrus = await conversationOf('Sales Walrus');
    expect((await bob.post(`/api/v1/conversations/${salesWalrus}/take`)).status).toBe(200);
    await waitFor('held by bob in the index', async () => (await found(ann, 'walrus')).length === 0);
    expect(await found(bob, 'walrus')).toEqual(['Sales Walrus']);
    expect(await found(vic, 'walrus')).toEqual(['Sales Walrus']);

    await sendSales('Spam Walrus', 'walrus spam offer');
    await waitFor('spam indexed', async () => (await found(ann, 'walrus')).includes('Spam Walrus'));
    const spam = await conversationOf('Spam Walrus');
    expect((await ann.post(`/api/v1/conversations/${spam}/blacklist`)).status).toBe(200);
    await waitFor('blacklisted in the index', async () => (await search(vic, 'walrus spam')).body.items[0]?.conversation.client.blacklisted === true);
    expect(await found(ann, 'walrus')).toEqual([]);
    expect(await found(vic, 'walrus spam')).toEqual(['Spam Walrus']);
  });

  it('D18: notes are found by operators, marked as notes', async () => {
    await sendSales('Note Client', 'hello there');
    const id = await conversationOf('Note Client');
    expect((await ann.post(`/api/v1/conversations/${id}/take`)).status).toBe(200);
    expect((await ann.post(`/api/v1/conversations/${id}/notes`, { text: 'internal quokka memo' })).status).toBe(201);
    const hit = await waitFor('note indexed', async () => (await search(ann, 'quokka')).body.items[0]);
    expect(hit.matches).toEqual([expect.objectContaining({ kind: 'note', text: 'internal quokka memo' })]);
    expect(hit.conversation.assignee).toMatchObject({ id: annId, name: 'Ann' });
  });

  it('D26: pages by nextCursor, newest first, without duplicates or gaps', async () => {
    for (let i = 0; i < 5; i++) await sendSales(`Pager ${i}`, `pagination marmot ${i}`);
    await waitFor('all indexed', async () => (await found(admin, 'marmot')).length === 5);
    const hits: { name: string; at: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const answer: Answer<Page> = await search(ann, 'marmot', `&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(answer.status).toBe(200);
      hits.push(...answer.body.items.map((h) => ({ name: h.conversation.client.name, at: h.matches[0]!.createdAt })));
      cursor = answer.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    // Newest first by when each message was stored: five clients' messages are stored in parallel
    // partitions, so that order need not be the order they were sent in.
    expect(hits.map((h) => h.name).sort()).toEqual(['Pager 0', 'Pager 1', 'Pager 2', 'Pager 3', 'Pager 4']);
    expect(hits.map((h) => h.at)).toEqual(hits.map((h) => h.at).sort().reverse());
  });

  it('D33: bad input gets a clear 400 or an empty result, never a 500, never what the caller may not see', async () => {
    await sendSupport('Hidden Or', 'or 1 x groupid');
    await waitFor('indexed', async () => (await found(admin, 'groupid')).length === 1);
    const tooLong = 'a'.repeat(10_000);
    const cases: [label: string, path: string, expected: 400 | 'empty'][] = [
      ['2 characters', '?q=ab', 400],
      ['only spaces', '?q=%20%20%20%20', 400],
      ['10,000 characters', `?q=${tooLong}`, 400],
      ['SQL syntax', `?q=${encodeURIComponent("' OR 1=1 --")}`, 'empty'],
      ['Meilisearch filter syntax', `?q=${encodeURIComponent('groupId = x OR 1')}`, 'empty'],
      ['regex metacharacters', `?q=${encodeURIComponent('.*[(')}`, 'empty'],
      ['unbalanced quotes', `?q=${encodeURIComponent('"walrus \'')}`, 'empty'],
      ['invalid UTF-8', '?q=%C3%28', 400],
      ['invalid UTF-8 among words', '?q=%C3%28walrus', 400],
      ['no q', '', 400],
      ['q twice', '?q=walrus&q=walrus', 400],
      ['limit 0', '?q=walrus&limit=0', 400],
      ['limit not a number', '?q=walrus&limit=lots', 400],
      ['an unknown parameter', '?q=walrus&groupId=x', 400],
      ['a garbage cursor', '?q=walrus&cursor=garbage', 400],
      ['a cursor of another query', `?q=walrus&cursor=${await cursorOf('marmot')}`, 400],
    ];
    for (const [label, path, expected] of cases) {
      const answer = await ann.get(`/api/v1/search${path}`);
      if (expected === 400) {
        expect({ label, status: answer.status, code: answer.body?.error?.code, message: typeof answer.body?.error?.message }).toEqual({ label, status: 400, code: 'validation_failed', message: 'string' });
      } else {
        expect({ label, status: answer.status, items: answer.body.items }).toEqual({ label, status: 200, items: [] });
      }
    }
  });

  it('the gateway starts without the search service and answers 503 for search only', async () => {
    const gateway = await startService('gateway', {
      ...stack.env,
      CONVERSATION_URL: stack.conversation.url,
      INGESTION_URL: stack.ingestion.url,
      SEARCH_URL: `http://127.0.0.1:${await freePort()}`,
    });
    try {
      const login = await fetch(`${gateway.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(stack.admin) });
      const { accessToken } = (await login.json()) as { accessToken: string };
      const headers = { authorization: `Bearer ${accessToken}` };
      const searched = await fetch(`${gateway.url}/api/v1/search?q=walrus`, { headers });
      expect(searched.status).toBe(503);
      expect(((await searched.json()) as { error: { code: string } }).error.code).toBe('unavailable');
      expect((await fetch(`${gateway.url}/api/v1/conversations?tab=all`, { headers })).status).toBe(200);
    } finally {
      await gateway.stop();
    }
  });

  async function cursorOf(q: string): Promise<string> {
    const answer = await search(admin, q, '&limit=1');
    if (!answer.body.nextCursor) throw new Error(`no second page for ${q}`);
    return answer.body.nextCursor;
  }
});
