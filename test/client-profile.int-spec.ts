import { createTestEnv, startStack, waitFor, Workspace, type HttpClient, type Stack, type TestEnv } from '@relaydesk/testing';

/** The client profile (D17, D19) through the gateway. */
describe('client profile', () => {
  let env: TestEnv;
  let stack: Stack;
  let admin: HttpClient;
  let ann: HttpClient;
  let cid: HttpClient;
  let sendAs: (client: string, text: string, extra: Record<string, unknown>) => Promise<unknown>;
  let workspace: Workspace;
  let sales: string;
  const ids: Record<string, string> = {};
  let seq = 0;

  const send = (clientName: string) => sendAs('ivy', `message ${++seq}`, { clientName, phone: '+4915112345678' });

  beforeAll(async () => {
    env = await createTestEnv();
    stack = await startStack(env.env);
    workspace = await Workspace.open(stack);
    admin = workspace.admin;
    sales = await workspace.group('Sales');
    const support = await workspace.group('Support');
    ann = (await workspace.operator('Ann', [sales])).api;
    cid = (await workspace.operator('Cid', [support])).api;
    sendAs = (await workspace.apiChannel(sales)).send;
    await send('Ivy Channelname');
    const item = await waitFor('listed', async () => (await ann.get('/api/v1/conversations?tab=unassigned')).body.items[0]);
    ids['client'] = item.client.id;
    ids['conversation'] = item.id;
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await env?.dispose();
  });

  it('D17: a rename changes the name, keeps originalName, and is logged', async () => {
    const renamed = await ann.patch(`/api/v1/clients/${ids['client']}`, { name: 'Ivy (VIP) ⭐' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Ivy (VIP) ⭐', originalName: 'Ivy Channelname', channel: 'api', externalId: 'ivy', phone: '+4915112345678' });
    expect((await ann.get('/api/v1/conversations?tab=unassigned')).body.items[0].client.name).toBe('Ivy (VIP) ⭐');
    const log = (await admin.get(`/api/v1/conversations/${ids['conversation']}/log`)).body.items;
    expect(log.at(-1)).toMatchObject({ action: 'renamed', actor: { name: 'Ann' }, from: { name: 'Ivy Channelname' }, to: { name: 'Ivy (VIP) ⭐' } });
  });

  it('D17: a later message with a new channel-side name updates originalName only', async () => {
    await send('Ivy New-Channel-Name');
    const profile = await waitFor('original name updated', async () => {
      const p = (await ann.get(`/api/v1/clients/${ids['client']}`)).body;
      return p.originalName === 'Ivy New-Channel-Name' ? p : undefined;
    });
    expect(profile.name).toBe('Ivy (VIP) ⭐');
  });

  it('D19: operators who can see the client set and clear his note', async () => {
    const set = await ann.put(`/api/v1/clients/${ids['client']}/note`, { note: 'Prefers calls after 18:00 📞' });
    expect(set.status).toBe(200);
    expect((await admin.get(`/api/v1/clients/${ids['client']}`)).body.note).toBe('Prefers calls after 18:00 📞');
    expect((await ann.put(`/api/v1/clients/${ids['client']}/note`, { note: '' })).body.note).toBe('');
  });

  it('D19: two colleagues editing the note at once: the save made from the old note is 409, and the first note stays', async () => {
    const note = `/api/v1/clients/${ids['client']}/note`;
    const before = (await ann.get(`/api/v1/clients/${ids['client']}`)).body.note as string;
    expect((await admin.put(note, { note: 'Company customer, invoice by mail', previous: before })).status).toBe(200);
    const late = await ann.put(note, { note: 'Call back on Tuesday', previous: before });
    expect({ status: late.status, message: late.body.error?.message }).toEqual({ status: 409, message: expect.stringMatching(/A colleague changed this note/) });
    expect((await ann.get(`/api/v1/clients/${ids['client']}`)).body.note).toBe('Company customer, invoice by mail');
    const merged = await ann.put(note, { note: 'Company customer, invoice by mail. Call back on Tuesday', previous: 'Company customer, invoice by mail' });
    expect(merged.body.note).toBe('Company customer, invoice by mail. Call back on Tuesday');
    expect((await ann.put(note, { note: '' })).body.note).toBe('');
  });

  it('D34: an operator of another group neither reads nor changes the client: 404', async () => {
    expect((await cid.get(`/api/v1/clients/${ids['client']}`)).status).toBe(404);
    expect((await cid.patch(`/api/v1/clients/${ids['client']}`, { name: 'Hacked' })).status).toBe(404);
    expect((await cid.put(`/api/v1/clients/${ids['client']}/note`, { note: 'x' })).status).toBe(404);
    expect((await admin.get(`/api/v1/clients/${ids['client']}`)).body.name).toBe('Ivy (VIP) ⭐');
  });

  it('D33: bad names, notes, fields and ids get 400 naming the field, and change nothing', async () => {
    const cases = [
      ['patch', `/api/v1/clients/${ids['client']}`, { name: '   ' }, 'name'],
      ['patch', `/api/v1/clients/${ids['client']}`, { name: 'x'.repeat(201) }, 'name'],
      ['patch', `/api/v1/clients/${ids['client']}`, { name: 'Ok', originalName: 'forged' }, 'originalName'],
      ['patch', `/api/v1/clients/${ids['client']}`, { name: 42 }, 'name'],
      ['put', `/api/v1/clients/${ids['client']}/note`, { note: 'x'.repeat(4001) }, 'note'],
      ['put', `/api/v1/clients/${ids['client']}/note`, {}, 'note'],
      ['patch', '/api/v1/clients/not-a-uuid', { name: 'Ok' }, 'id'],
    ] as const;
    for (const [method, path, body, field] of cases) {
      const res = await admin[method](path, body);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(JSON.stringify(res.body.error)).toContain(field);
    }
    expect((await admin.get(`/api/v1/clients/${ids['client']}`)).body).toMatchObject({ name: 'Ivy (VIP) ⭐', originalName: 'Ivy New-Channel-Name' });
  });

  it('D5, D6: one account on two channels is two clients with a conversation each; a client keeps his one conversation through closing', async () => {
    const [first, second] = [await workspace.apiChannel(sales, 'key-of-the-first-shop-0001'), await workspace.apiChannel(sales, 'key-of-the-second-shop-0002')];
    await first.send('zed', 'hello from the first shop');
    await first.send('zed', 'and again');
    await second.send('zed', 'hello from the second shop');
    type Listed = { id: string; client: { id: string; name: string } };
    const zeds = async (): Promise<Listed[]> => ((await admin.get('/api/v1/conversations?tab=all&limit=100')).body.items as Listed[]).filter((i) => i.client.name === 'zed');
    const both = await waitFor('both conversations listed', async () => ((await zeds()).length === 2 ? zeds() : undefined));
    const profiles = await Promise.all(both.map(async (i) => (await admin.get(`/api/v1/clients/${i.client.id}`)).body));
    expect(new Set(profiles.map((p) => p.id)).size).toBe(2);
    expect(profiles.map((p) => p.externalId)).toEqual(['zed', 'zed']);
    const texts = async (id: string) => ((await admin.get(`/api/v1/conversations/${id}/messages`)).body.items as { text: string }[]).map((m) => m.text).sort();
    const ofFirst = await waitFor('the first shop’s two messages', async () => {
      for (const i of both) if ((await texts(i.id)).length === 2) return i;
      return undefined;
    });
    expect(await texts(ofFirst.id)).toEqual(['and again', 'hello from the first shop']);
    expect(await texts(both.find((i) => i !== ofFirst)!.id)).toEqual(['hello from the second shop']);

    expect((await ann.post(`/api/v1/conversations/${ofFirst.id}/take`)).status).toBe(200);
    expect((await ann.post(`/api/v1/conversations/${ofFirst.id}/close`)).status).toBe(200);
    await first.send('zed', 'back again');
    await waitFor('the same conversation back in Unassigned', async () => (await ann.get(`/api/v1/conversations/${ofFirst.id}`)).body.status === 'unassigned' || undefined);
    expect((await zeds()).map((i) => i.id).sort()).toEqual(both.map((i) => i.id).sort());
    expect(await texts(ofFirst.id)).toEqual(['and again', 'back again', 'hello from the first shop']);
  });
});
