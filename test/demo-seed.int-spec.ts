import { isDeepStrictEqual } from 'node:util';
import { createTestEnv, startStack, waitFor, Workspace, type HttpClient, type Stack, type TestEnv } from '@relaydesk/testing';
import { startDemoPlatforms, type DemoPlatforms } from '../scripts/demo-platforms';
import { demoPassword, demoPeople, seedDemo } from '../scripts/demo-seed';

/** What `npm start` seeds: every demo login finds work waiting, and a second start seeds nothing more. */
describe('the demo that npm start seeds', () => {
  let env: TestEnv;
  let stack: Stack;
  let platforms: DemoPlatforms;
  let workspace: Workspace;

  const names = async (who: HttpClient, tab: string): Promise<string[]> => ((await who.get(`/api/v1/conversations?tab=${tab}&limit=100`)).body.items as { client: { name: string } }[]).map((i) => i.client.name).sort();
  const seed = () => seedDemo(stack.gateway.url, stack.ingestion.url, stack.admin, platforms);

  beforeAll(async () => {
    env = await createTestEnv();
    stack = await startStack(env.env);
    platforms = await startDemoPlatforms({ whatsapp: 0, telegram: 0 });
    workspace = await Workspace.open(stack);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await env?.dispose();
    await platforms?.whatsapp.stop();
    await platforms?.telegram.stop();
  });

  it('D3, D9: each demo operator finds conversations of his groups waiting, and one in his inbox', async () => {
    expect((await seed()).seeded).toBe(true);
    const [anna, boris, chen] = await Promise.all(demoPeople.map((p) => workspace.login(p.email, demoPassword)));
    const admin = workspace.admin;
    await waitFor('the last demo conversation listed', async () => (await names(admin, 'all')).length === 17 || undefined);

    expect(await names(anna!, 'unassigned')).toEqual(['Nina Berg', 'Pedro Alves']);
    expect(await names(anna!, 'mine')).toEqual(['Zoë Wren']);
    // Which connector clients are taken depends on the order they were stored; how many does not.
    const support = { chen: await names(chen!, 'unassigned'), boris: await names(boris!, 'unassigned') };
    expect(support.chen).toHaveLength(7);
    expect(support.chen).toEqual(expect.arrayContaining(['Ivan Petrov', 'Lena Schmidt']));
    expect(support.boris).toEqual([...support.chen, 'Nina Berg', 'Pedro Alves'].sort());
    expect([(await names(boris!, 'mine')).length, (await names(chen!, 'mine')).length]).toEqual([2, 2]);
    expect([(await names(boris!, 'closed')).length, (await names(chen!, 'closed')).length]).toEqual([2, 1]);
    // What an operator answered, he had read: Anna's #9 is 1 and her #10 shows nothing unread.
    await waitFor('her counters', async () => isDeepStrictEqual((await anna!.get('/api/v1/conversations/counters')).body, { mine: 1, unread: { unassigned: 2, mine: 0, closed: 0 } }) || undefined);
  });

  it('the WhatsApp stand-in plays a client of the demo channel and lists what was sent to him', async () => {
    const stand = platforms.whatsapp.url;
    const played = await fetch(`${stand}/_standin/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: '+4917012345678', name: 'Otto Demo', text: 'Hallo, ist jemand da?' }) });
    expect(played.status).toBe(200);
    const admin = workspace.admin;
    const id = await waitFor('Otto listed', async () => ((await admin.get('/api/v1/conversations?tab=all&limit=100')).body.items as { id: string; client: { name: string } }[]).find((i) => i.client.name === 'Otto Demo')?.id);
    expect((await admin.post(`/api/v1/conversations/${id}/take`)).status).toBe(200);
    expect((await admin.post(`/api/v1/conversations/${id}/messages`, { text: 'Ja, hier! 👋' })).status).toBe(201);
    await waitFor('the reply at the stand-in', async () => {
      const sent = (await (await fetch(`${stand}/_standin/sent`)).json()) as { items: { to: string; text?: { body: string } }[] };
      return sent.items.some((m) => m.to === '4917012345678' && m.text?.body === 'Ja, hier! 👋') || undefined;
    });
    const refused = await fetch(`${stand}/_standin/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: 'nobody', text: '' }) });
    expect(refused.status).toBe(400);
  });

  it('seeds once: a second start finds the demo and adds nothing', async () => {
    const admin = workspace.admin;
    const before = await names(admin, 'all');
    expect((await seed()).seeded).toBe(false);
    expect(await names(admin, 'all')).toEqual(before);
  });
});
