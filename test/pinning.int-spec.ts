import { createTestEnv, startStack, waitFor, Workspace, type HttpClient, type Stack, type TestEnv } from '@relaydesk/testing';

/** Client pinning (D30–D32) through the gateway and the bus. */
describe('pinning', () => {
  let env: TestEnv;
  let stack: Stack;
  let admin: HttpClient;
  let ann: HttpClient;
  let ben: HttpClient;
  let sendAs: (client: string, text: string) => Promise<unknown>;
  const ids: Record<string, string> = {};

  const send = (text: string) => sendAs('Pia', text);
  const client = (who: HttpClient) => who.get(`/api/v1/clients/${ids['client']}`);
  const conversation = () => admin.get(`/api/v1/conversations/${ids['conversation']}`);

  beforeAll(async () => {
    env = await createTestEnv();
    stack = await startStack(env.env);
    const workspace = await Workspace.open(stack);
    admin = workspace.admin;
    const sales = await workspace.group('Sales');
    const a = await workspace.operator('Ann', [sales]);
    const b = await workspace.operator('Ben', [sales]);
    [ids['ann'], ann, ids['ben'], ben] = [a.id, a.api, b.id, b.api];
    sendAs = (await workspace.apiChannel(sales)).send;
    await send('hello');
    const item = await waitFor('listed', async () => (await ann.get('/api/v1/conversations?tab=unassigned')).body.items[0]);
    ids['conversation'] = item.id;
    ids['client'] = item.client.id;
    await ann.post(`/api/v1/conversations/${item.id}/take`);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await env?.dispose();
  });

  it('D30, D32: an operator pins a client to himself; the holder sees Detach', async () => {
    const pinned = await ann.post(`/api/v1/clients/${ids['client']}/pin`);
    expect(pinned.status).toBe(200);
    expect(pinned.body.pin).toEqual({ operator: { id: ids['ann'], name: 'Ann' }, label: 'Detach' });
    expect((await ann.post(`/api/v1/clients/${ids['client']}/pin`)).status).toBe(409);
    expect((await admin.get(`/api/v1/conversations/${ids['conversation']}/log`)).body.items.at(-1)).toMatchObject({ action: 'pinned', actor: { name: 'Ann' }, to: { pinnedOperatorId: ids['ann'] } });
  });

  it('D32: another operator sees Pinned (NAME); a super_admin sees Detach (assigned to NAME)', async () => {
    await ann.post(`/api/v1/conversations/${ids['conversation']}/assign`, { operatorId: ids['ben'] });
    expect((await client(ben)).body.pin.label).toBe('Pinned (Ann)');
    expect((await client(admin)).body.pin.label).toBe('Detach (assigned to Ann)');
    expect((await ben.get(`/api/v1/conversations/${ids['conversation']}`)).body.pin.label).toBe('Pinned (Ann)');
  });

  it('D31: only the holder or a super_admin detaches; another operator must wait for that', async () => {
    expect((await ben.delete(`/api/v1/clients/${ids['client']}/pin`)).status).toBe(403);
    expect((await ben.post(`/api/v1/clients/${ids['client']}/pin`)).status).toBe(409);
  });

  it('D30: after a hand-over and a close by another operator, the client’s next message lands in the holder’s My inbox', async () => {
    expect((await ben.post(`/api/v1/conversations/${ids['conversation']}/close`)).status).toBe(200);
    await send('me again');
    const item = await waitFor('back to the holder', async () => {
      const c = (await conversation()).body;
      return c.status === 'in_progress' ? c : undefined;
    });
    expect(item.assignee).toEqual({ id: ids['ann'], name: 'Ann' });
    expect((await ann.get('/api/v1/conversations?tab=mine')).body.items.map((i: any) => i.id)).toContain(ids['conversation']);
    expect((await admin.get('/api/v1/conversations?tab=unassigned')).body.items).toEqual([]);
  });

  it('D31: a super_admin detaches anyone’s pin; the pin can then move to another operator', async () => {
    const detached = await admin.delete(`/api/v1/clients/${ids['client']}/pin`);
    expect(detached.status).toBe(200);
    expect(detached.body.pin).toBeNull();
    await ann.post(`/api/v1/conversations/${ids['conversation']}/assign`, { operatorId: ids['ben'] });
    expect((await ben.post(`/api/v1/clients/${ids['client']}/pin`)).body.pin).toEqual({ operator: { id: ids['ben'], name: 'Ben' }, label: 'Detach' });
    expect((await admin.get(`/api/v1/conversations/${ids['conversation']}/log`)).body.items.filter((e: any) => e.action === 'unpinned')).toHaveLength(1);
  });
});
