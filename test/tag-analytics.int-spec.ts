import { createTestEnv, startStack, waitFor, Workspace, type HttpClient, type Stack, type TestEnv } from '@relaydesk/testing';

type Series = { series: { tagId: string; name: string; points: { at: string; count: number }[] }[]; totals: { tagId: string; name: string; count: number }[] };

/** D25 through the whole stack: operators tag in the conversation service, analysts read counts from tagging-analytics. */
describe('tag analytics', () => {
  let env: TestEnv;
  let stack: Stack;
  let ann: HttpClient; // Sales, takes Olga's conversation
  let alice: HttpClient; // Sales, analytics.view
  let zed: HttpClient; // Support, analytics.view
  let noPermission: HttpClient; // Sales
  let admin: HttpClient;
  let annId: string;
  let sales: string;
  let refundTagId: string;
  let conversation: string;

  const today = new Date().toISOString().slice(0, 10);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const range = `from=${today}&to=${tomorrow}`;
  const period = `${range}&interval=day`;
  const totals = async (who: HttpClient, more = ''): Promise<Record<string, number>> => {
    const answer = await who.get<Series>(`/api/v1/analytics/tags?${period}${more}`);
    expect(answer.status).toBe(200);
    return Object.fromEntries(answer.body.totals.map((t) => [t.name, t.count]));
  };

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
    alice = (await workspace.operator('Alice', [sales], ['analytics.view'])).api;
    zed = (await workspace.operator('Zed', [support], ['analytics.view'])).api;
    noPermission = (await workspace.operator('Nobody', [sales])).api;
    const send = (await workspace.apiChannel(sales)).send;
    for (const text of ['I want a refund', 'Refund, please!', 'and where is my parcel?']) await send('Olga', text);
    conversation = await waitFor('Olga’s conversation', async () => ((await ann.get('/api/v1/conversations?tab=unassigned')).body.items as { id: string }[])[0]?.id);
    await waitFor('three messages', async () => (await ann.get(`/api/v1/conversations/${conversation}/messages`)).body.items.length === 3);
    expect((await ann.post(`/api/v1/conversations/${conversation}/take`)).status).toBe(200);
    const [first, second, third] = (await ann.get(`/api/v1/conversations/${conversation}/messages`)).body.items.filter((m: { kind: string }) => m.kind === 'text');
    const refund = await ann.post(`/api/v1/conversations/${conversation}/tags`, { messageIds: [first.id, second.id], tagName: 'Refund' });
    refundTagId = refund.body.tag.id;
    await ann.post(`/api/v1/conversations/${conversation}/tags`, { messageIds: [third.id], tagName: 'Delivery "late", =SUM(1)' });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await env?.dispose();
  });

  it('D25: tagged messages are counted per tag and day, fed by message.tagged, for an analyst of the group', async () => {
    const counted = await waitFor('counts', async () => {
      const seen = await totals(alice);
      return seen['Refund'] === 2 && seen['Delivery "late", =SUM(1)'] === 1 ? seen : undefined;
    });
    expect(counted).toEqual({ Refund: 2, 'Delivery "late", =SUM(1)': 1 });
    const { body } = await alice.get<Series>(`/api/v1/analytics/tags?${period}`);
    expect(body.series.find((s) => s.name === 'Refund')?.points).toEqual([{ at: expect.stringMatching(new RegExp(`^${today}T00:00:00`)), count: 2 }]);
    expect(await totals(alice, `&operatorId=${annId}&channel=api&groupId=${sales}`)).toEqual(counted);
    expect(await totals(admin)).toEqual(counted);
  });

  it('D25: the messages behind a count, with links to their conversation', async () => {
    const answer = await alice.get(`/api/v1/analytics/tags/${refundTagId}/messages?${range}&limit=1`);
    expect(answer.status).toBe(200);
    expect(answer.body.items).toEqual([expect.objectContaining({ text: 'Refund, please!', conversationId: conversation, link: `/api/v1/conversations/${conversation}` })]);
    const next = await alice.get(`/api/v1/analytics/tags/${refundTagId}/messages?${range}&limit=1&cursor=${encodeURIComponent(answer.body.nextCursor)}`);
    expect(next.body.items.map((m: { text: string }) => m.text)).toEqual(['I want a refund']);
  });

  it('D25: Accept: text/csv gives CSV through the gateway, with formula-looking names defused', async () => {
    const csv = await fetch(`${stack.gateway.url}/api/v1/analytics/tags?${period}`, { headers: { authorization: `Bearer ${alice.token}`, accept: 'text/csv' } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toContain('tag-analytics.csv');
    const lines = (await csv.text()).trim().split(/\r?\n/);
    expect(lines[0]).toBe('bucket_start,tag_id,tag_name,count');
    expect(lines.some((l) => l.includes(`${refundTagId},Refund,2`))).toBe(true);
    expect(lines.some((l) => l.includes(`"Delivery ""late"", =SUM(1)",1`))).toBe(true);
  });

  it('D1: without analytics.view, 403; D3: an analyst of another group sees none of these counts and may not ask for this group', async () => {
    const refused = await noPermission.get(`/api/v1/analytics/tags?${period}`);
    expect({ status: refused.status, code: refused.body.error?.code }).toEqual({ status: 403, code: 'forbidden' });
    expect(await totals(zed)).toEqual({});
    expect((await zed.get(`/api/v1/analytics/tags?${period}&groupId=${sales}`)).status).toBe(403);
  });

  it('D25: a from after to, ten years by day, unknown time zones and junk get a clear 400', async () => {
    for (const query of [`from=${tomorrow}&to=${today}`, 'from=2010-01-01&to=2020-01-01&interval=day', `${period}&tz=Mars/Base`, `${period}&interval=hour`, 'from=yesterday&to=today', `${period}&groupId=1`]) {
      const answer = await alice.get(`/api/v1/analytics/tags?${query}`);
      expect({ query, status: answer.status, code: answer.body.error?.code }).toEqual({ query, status: 400, code: 'validation_failed' });
    }
  });
});
