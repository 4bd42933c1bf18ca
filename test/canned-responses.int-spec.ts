import { errorBody, IDENTITY_HEADER } from '@relaydesk/contracts';
import { signToken } from '@relaydesk/service-kit';
import { createTestEnv, HttpClient, startStack, type Answer, type Stack, type TestEnv } from '@relaydesk/testing';
import { Client } from 'pg';

/** D16 canned responses through the gateway, with D33 (bad input) and D34 (what one may not see or change). */
describe('canned responses', () => {
  let env: TestEnv;
  let stack: Stack;
  let db: Client;
  let api: HttpClient;
  let admin: HttpClient; // super_admin
  let sam: HttpClient; // a second super_admin
  let ann: HttpClient; // operator
  let ben: HttpClient; // operator
  const ids: Record<string, string> = {};

  const base = '/api/v1/canned-responses';
  const one = (id: string) => `${base}/${id}`;
  const lookup = (who: HttpClient, q?: string, more = '') => who.get(`${base}${q === undefined ? '' : `?q=${encodeURIComponent(q)}`}${more}`);
  const titles = async (who: HttpClient, q?: string): Promise<string[]> => {
    const res = await lookup(who, q);
    expect(res.status).toBe(200);
    return res.body.items.map((i: { title: string }) => i.title);
  };
  const create = async (who: HttpClient, title: string, text: string) => {
    const res = await who.post(base, { title, text });
    expect(res.status).toBe(201);
    return res.body as { id: string; title: string; text: string; scope: string; ownerId: string; createdAt: string; updatedAt: string };
  };
  const remove = (who: HttpClient, id: string) => who.send('DELETE', one(id));
  const rows = async () => (await db.query('SELECT id, scope, owner_id, title, text, updated_at FROM conversation.canned_response ORDER BY id')).rows;

  /** A 400 `validation_failed` in the API.md shape that names `field`. */
  const expectRefused = (res: Answer, field: string, label: string) => {
    expect({ label, status: res.status, code: res.body?.error?.code, shape: errorBody.safeParse(res.body).success }).toEqual({ label, status: 400, code: 'validation_failed', shape: true });
    expect({ label, error: JSON.stringify(res.body.error) }).toEqual({ label, error: expect.stringContaining(field) });
  };

  const login = async (email: string, password: string) => {
    const res = await api.post('/api/v1/auth/login', { email, password });
    expect(res.status).toBe(200);
    ids[email] = res.body.operator.id;
    return api.bearer(res.body.accessToken);
  };
  const person = async (name: string, role: 'operator' | 'super_admin') => {
    const email = `${name}@relaydesk.test`;
    const made = await admin.post('/api/v1/operators', { name, email, password: `${name}-password`, role });
    expect(made.status).toBe(201);
    ids[name] = made.body.id;
    return login(email, `${name}-password`);
  };

  beforeAll(async () => {
    env = await createTestEnv();
    stack = await startStack(env.env);
    db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
    api = new HttpClient(stack.gateway.url);
    admin = await login(stack.admin.email, stack.admin.password);
    ids['admin'] = ids[stack.admin.email]!;
    sam = await person('sam', 'super_admin');
    ann = await person('ann', 'operator');
    ben = await person('ben', 'operator');
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await stack?.stop();
    await env?.dispose();
  });

  it('D16: a super_admin’s canned response is global, an operator’s personal; each lists the global ones and only his own, by title', async () => {
    const hours = await create(admin, '  Zulu hours ', 'We are open 9–17 🕘');
    expect(hours).toEqual({ id: expect.any(String), title: 'Zulu hours', text: 'We are open 9–17 🕘', scope: 'global', ownerId: ids['admin'], createdAt: expect.any(String), updatedAt: expect.any(String) });
    const annsNote = await create(ann, 'alpha note', 'Ann’s own words');
    expect(annsNote).toMatchObject({ scope: 'personal', ownerId: ids['ann'] });
    const bensNote = await create(ben, 'Bravo note', 'Ben’s own words');
    expect(bensNote).toMatchObject({ scope: 'personal', ownerId: ids['ben'] });

    const annSees = await lookup(ann);
    expect(annSees.body).toEqual({ items: [annsNote, hours], nextCursor: null });
    expect(await titles(ben)).toEqual(['Bravo note', 'Zulu hours']);
    expect(await titles(admin)).toEqual(['Zulu hours']);
    expect(await titles(sam)).toEqual(['Zulu hours']);

    expect((await remove(ann, annsNote.id)).status).toBe(204);
    expect((await remove(ben, bensNote.id)).status).toBe(204);
    expect((await remove(admin, hours.id)).status).toBe(204);
  });

  it('D16: "/" or "\\" then a prefix finds canned responses whose title or text starts with it, in any case', async () => {
    await create(admin, 'Greeting', 'Hello! How can I help? 👋');
    await create(ann, 'Closing', 'greetings, dear customer… 🙏');
    await create(ann, 'Congress', 'The progress of your order');
    await create(ben, 'Green light', 'Ben’s approval');
    await create(admin, 'Привет', 'Здравствуйте! 🌞');

    for (const q of ['gre', '/gre', '\\gre', 'GRE', '/Gre', '\\gRE']) expect({ q, titles: await titles(ann, q) }).toEqual({ q, titles: ['Closing', 'Greeting'] });
    expect(await titles(ann, '/greetings')).toEqual(['Closing']);
    expect(await titles(ann, '\\HELLO! how')).toEqual(['Greeting']);
    expect(await titles(ben, '/gre')).toEqual(['Green light', 'Greeting']);
    expect(await titles(admin, '/gre')).toEqual(['Greeting']);
    expect(await titles(ann, '/привет')).toEqual(['Привет']);
    expect(await titles(ann, '\\ЗДРАВ')).toEqual(['Привет']);
    expect(await titles(ann, '/' + 'Hello! How can I help? 👋')).toEqual(['Greeting']);
    expect(await titles(ann, '/')).toEqual(await titles(ann));
    expect(await titles(ann, '')).toEqual(['Closing', 'Congress', 'Greeting', 'Привет']);
  });

  it('D16: the lookup never matches in the middle of a word', async () => {
    for (const q of ['/eting', '/reeting', '\\gress', '/ogress', 'ongr', '/ello', '/ривет', '/ dear', '/light']) expect({ q, titles: await titles(ben, q) }).toEqual({ q, titles: [] });
  });

  it('D16: %, _ and \\ in the lookup are literal characters, not LIKE wildcards', async () => {
    await create(ann, '50% off', 'SAVE_10 is the code at checkout');
    await create(ann, '50 cents', 'Coins');
    await create(ann, 'Promo', 'SAVEX10 is the old code');
    await create(ann, '\\share notes', 'Where the files are');
    await create(ann, 'a_b test', 'underscore');

    expect(await titles(ann, '/50%')).toEqual(['50% off']);
    expect(await titles(ann, '50% ')).toEqual(['50% off']);
    expect(await titles(ann, '/save_')).toEqual(['50% off']);
    expect(await titles(ann, '/savex')).toEqual(['Promo']);
    expect(await titles(ann, '/a_')).toEqual(['a_b test']);
    expect(await titles(ann, '/a%')).toEqual([]);
    expect(await titles(ann, '/5_')).toEqual([]);
    for (const q of ['%', '/%', '_', '\\_', '/%off']) expect({ q, titles: await titles(ann, q) }).toEqual({ q, titles: [] });
    // The first backslash opens the lookup; the ones after it are looked up.
    expect(await titles(ann, '\\\\sh')).toEqual(['\\share notes']);
    expect(await titles(ann, '\\sh')).toEqual([]);
    expect(await titles(ann, '/\\share')).toEqual(['\\share notes']);
  });

  it('D16: a long list pages by title with limit and nextCursor', async () => {
    const made: { id: string }[] = [];
    for (const n of [3, 1, 5, 2, 4]) made.push(await create(ben, `Page test ${n}`, `page ${n}`));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: Answer = await lookup(ben, '/page test', `&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((i: { title: string }) => i.title));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['Page test 1', 'Page test 2', 'Page test 3', 'Page test 4', 'Page test 5']);
    const first = (await lookup(ben, '/page test', '&limit=2')).body.nextCursor as string;
    expectRefused(await lookup(ben, '/other', `&cursor=${encodeURIComponent(first)}`), 'cursor', 'cursor of another lookup');
    for (const m of made) expect((await remove(ben, m.id)).status).toBe(204);
  });

  it('D16: owners edit and delete their own canned responses', async () => {
    const mine = await create(ann, 'Refund', 'Your refund is on its way');
    const renamed = await ann.patch(one(mine.id), { title: ' Refund sent ' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: mine.id, title: 'Refund sent', text: 'Your refund is on its way', scope: 'personal', ownerId: ids['ann'], createdAt: mine.createdAt });
    expect(Date.parse(renamed.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(mine.updatedAt));
    const retexted = await ann.patch(one(mine.id), { text: 'Refunded ✅ — 3–5 days' });
    expect(retexted.body).toMatchObject({ title: 'Refund sent', text: 'Refunded ✅ — 3–5 days' });
    const both = await ann.patch(one(mine.id), { title: 'Refund done', text: 'Done 💸' });
    expect(both.body).toMatchObject({ title: 'Refund done', text: 'Done 💸' });
    expect((await lookup(ann, '/refund')).body.items).toEqual([both.body]);

    const gone = await remove(ann, mine.id);
    expect(gone.status).toBe(204);
    expect(gone.body).toBeNull();
    expect(await titles(ann, '/refund')).toEqual([]);
    expect((await remove(ann, mine.id)).status).toBe(404);
    expect((await ann.patch(one(mine.id), { title: 'again' })).status).toBe(404);
  });

  it('D16: any super_admin edits and deletes global canned responses', async () => {
    const global = await create(admin, 'Holiday', 'Closed on holidays');
    const edited = await sam.patch(one(global.id), { text: 'Closed on public holidays 🎄' });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ title: 'Holiday', text: 'Closed on public holidays 🎄', scope: 'global', ownerId: ids['admin'] });
    expect((await lookup(ben, '/holiday')).body.items).toEqual([edited.body]);
    expect((await admin.patch(one(global.id), { title: 'Holidays' })).body.title).toBe('Holidays');
    expect((await remove(sam, global.id)).status).toBe(204);
    expect(await titles(ann, '/holiday')).toEqual([]);
  });

  it('D34: an operator changing a global canned response gets 403, another operator’s personal one 404, and nothing changes', async () => {
    const global = await create(admin, 'Shipping', 'We ship in 24 h');
    const anns = await create(ann, 'Shipping (mine)', 'I will check the parcel');
    const before = await rows();

    const forbidden = [await ann.patch(one(global.id), { title: 'Mine now' }), await remove(ann, global.id), await ben.patch(one(global.id), { text: 'x' })];
    for (const res of forbidden) expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 403, code: 'forbidden' });
    expect(forbidden[0]!.body.error.message).toMatch(/super_admin/);

    const unseen = [
      await ben.patch(one(anns.id), { title: 'Ben’s now' }),
      await remove(ben, anns.id),
      await admin.patch(one(anns.id), { text: 'admin was here' }),
      await remove(sam, anns.id),
      await ann.patch(one('00000000-0000-4000-8000-000000000000'), { title: 'nobody' }),
      await remove(ann, '00000000-0000-4000-8000-000000000000'),
    ];
    for (const res of unseen) expect({ status: res.status, code: res.body.error.code, message: res.body.error.message }).toEqual({ status: 404, code: 'not_found', message: 'No such canned response' });

    expect(await rows()).toEqual(before);
    expect(await titles(ben, '/shipping')).toEqual(['Shipping']);
    expect(await titles(ann, '/shipping')).toEqual(['Shipping', 'Shipping (mine)']);
  });

  it('D33: bad bodies are refused with 400 naming the field, and nothing is written', async () => {
    const mine = await create(ann, 'Untouched', 'Stays as it is');
    const before = await rows();
    const posts: [unknown, string][] = [
      [{ title: 'bad', text: 'bad', scope: 'global' }, 'scope'],
      [{ title: 'bad', text: 'bad', ownerId: ids['ben'] }, 'ownerId'],
      [{ text: 'bad' }, 'title'],
      [{ title: 'bad' }, 'text'],
      [{ title: '', text: 'bad' }, 'title'],
      [{ title: '   ', text: 'bad' }, 'title'],
      [{ title: 'x'.repeat(101), text: 'bad' }, 'title'],
      [{ title: '🙂'.repeat(101), text: 'bad' }, 'title'],
      [{ title: 'bad', text: '' }, 'text'],
      [{ title: 'bad', text: ' \n ' }, 'text'],
      [{ title: 'bad', text: 'x'.repeat(4001) }, 'text'],
      [{ title: 42, text: 'bad' }, 'title'],
      [{ title: null, text: 'bad' }, 'title'],
      [{ title: 'bad', text: ['bad'] }, 'text'],
      [{ title: 'bad', text: { value: 'bad' } }, 'text'],
      [{ title: 'bad\u0000', text: 'bad' }, 'title'],
      [['bad'], '(root)'],
      [{}, 'title'],
    ];
    for (const [body, field] of posts) expectRefused(await ann.post(base, body), field, `POST ${JSON.stringify(body).slice(0, 60)}`);
    expectRefused(await ann.send('POST', base, undefined, {}, '{"title": "bad", "text"'), 'JSON', 'POST broken JSON');

    const patches: [unknown, string][] = [
      [{}, 'title, text or both'],
      [{ title: '' }, 'title'],
      [{ title: 'x'.repeat(101) }, 'title'],
      [{ text: '' }, 'text'],
      [{ text: 'x'.repeat(4001) }, 'text'],
      [{ text: 42 }, 'text'],
      [{ title: 'bad', extra: 1 }, 'extra'],
      [{ scope: 'global' }, 'scope'],
      [{ ownerId: ids['ben'] }, 'ownerId'],
      [['bad'], '(root)'],
      ['bad', 'JSON'],
    ];
    for (const [body, field] of patches) expectRefused(await ann.patch(one(mine.id), body), field, `PATCH ${JSON.stringify(body).slice(0, 60)}`);

    for (const id of ['not-a-uuid', '123', `${mine.id}x`]) {
      expectRefused(await ann.patch(one(id), { title: 'bad' }), 'id', `PATCH ${id}`);
      expectRefused(await remove(ann, id), 'id', `DELETE ${id}`);
    }

    expect(await rows()).toEqual(before);
  });

  it('D33: the limits count characters: 100 for the trimmed title and 4000 for the text, an emoji being one', async () => {
    const longest = await create(ann, `  ${'🙂'.repeat(100)}  `, '👋'.repeat(4000));
    expect(longest).toMatchObject({ title: '🙂'.repeat(100), text: '👋'.repeat(4000) });
    const patched = await ann.patch(one(longest.id), { title: 'x'.repeat(100), text: 'y'.repeat(4000) });
    expect(patched.status).toBe(200);
    expect(await titles(ann, 'x'.repeat(100))).toEqual(['x'.repeat(100)]);
    expect(await titles(ann, '/' + 'x'.repeat(99))).toEqual(['x'.repeat(100)]);
    expect(await titles(ann, '\\' + 'y'.repeat(99))).toEqual(['x'.repeat(100)]);
    expect((await remove(ann, longest.id)).status).toBe(204);
  });

  it('D33: unknown or malformed list parameters are refused with 400 naming the parameter', async () => {
    const bad: [string, string][] = [
      ['?search=gre', 'search'],
      ['?q=gre&sort=title', 'sort'],
      [`?q=${'g'.repeat(101)}`, 'q'],
      ['?q=a&q=b', 'q'],
      ['?q=%00', 'q'],
      ['?limit=0', 'limit'],
      ['?limit=101', 'limit'],
      ['?limit=ten', 'limit'],
      ['?cursor=garbage', 'cursor'],
    ];
    for (const [query, field] of bad) expectRefused(await ann.get(`${base}${query}`), field, query);
  });

  it('D33: the conversation service refuses canned-response calls without the gateway’s signed identity, and writes nothing', async () => {
    const before = await rows();
    const service = new HttpClient(stack.conversation.url);
    const forged = signToken({ operatorId: ids['ann'], role: 'super_admin', permissions: [], groupIds: [] }, 'not-the-internal-secret', 60);
    for (const who of [service, service.with({ [IDENTITY_HEADER]: forged })]) {
      expect((await who.get('/canned-responses')).status).toBe(401);
      expect((await who.post('/canned-responses', { title: 'forged', text: 'forged' })).status).toBe(401);
      expect((await who.send('DELETE', `/canned-responses/${before[0]?.id ?? '00000000-0000-4000-8000-000000000000'}`)).status).toBe(401);
    }
    expect((await api.get(base)).status).toBe(401);
    expect((await api.post(base, { title: 'anonymous', text: 'anonymous' })).status).toBe(401);
    expect(await rows()).toEqual(before);
  });

  it('D16: the OpenAPI document describes the canned-response routes', async () => {
    const doc = (await api.get('/api/v1/openapi.json')).body;
    expect(Object.keys(doc.paths[base])).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths[`${base}/{id}`])).toEqual(['patch', 'delete']);
    expect(doc.paths[base].get.parameters.map((p: { name: string }) => p.name)).toEqual(['limit', 'cursor', 'q']);
    expect(doc.paths[base].post.requestBody.content['application/json'].schema).toMatchObject({ required: ['title', 'text'], additionalProperties: false });
  });
});
