import { createTestEnv, startStack, waitFor, Workspace, type HttpClient, type Stack, type TestEnv } from '@relaydesk/testing';

const OPERATORS = 20;
const CONVERSATIONS = 50;

/** D7 under load: 20 operators take the same 50 conversations at once. */
describe('take race', () => {
  let env: TestEnv;
  let stack: Stack;
  let admin: HttpClient;
  const operators: { id: string; api: HttpClient }[] = [];
  let conversationIds: string[] = [];

  beforeAll(async () => {
    env = await createTestEnv();
    stack = await startStack(env.env);
    const workspace = await Workspace.open(stack);
    admin = workspace.admin;
    const sales = await workspace.group('Sales');
    for (let i = 0; i < OPERATORS; i++) operators.push(await workspace.operator(`Op ${i}`, [sales]));
    const { send } = await workspace.apiChannel(sales);
    await Promise.all(Array.from({ length: CONVERSATIONS }, (_, i) => send(`c${i}`, 'help')));
    conversationIds = await waitFor('all unassigned', async () => {
      const items = (await admin.get('/api/v1/conversations?tab=unassigned&limit=100')).body.items as { id: string }[];
      return items.length === CONVERSATIONS ? items.map((i) => i.id) : undefined;
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await env?.dispose();
  });

  it('D7, D12, D14: each conversation has exactly one winner, 409 for the other 19, one taken entry in its log, and inboxes and counters agree', async () => {
    const answers = await Promise.all(
      conversationIds.map((id) => Promise.all(operators.map(async (op) => ({ op: op.id, status: (await op.api.post(`/api/v1/conversations/${id}/take`)).status })))),
    );
    const wins = new Map<string, number>();
    for (const [k, perConversation] of answers.entries()) {
      const winners = perConversation.filter((a) => a.status === 200);
      expect({ conversation: k, winners: winners.length, others: perConversation.filter((a) => a.status === 409).length }).toEqual({ conversation: k, winners: 1, others: OPERATORS - 1 });
      wins.set(winners[0]!.op, (wins.get(winners[0]!.op) ?? 0) + 1);
      const item = (await admin.get(`/api/v1/conversations/${conversationIds[k]}`)).body;
      expect(item).toMatchObject({ status: 'in_progress', assignee: { id: winners[0]!.op } });
      const log = (await admin.get(`/api/v1/conversations/${conversationIds[k]}/log`)).body.items as { action: string; actor: { id: string } }[];
      expect(log.filter((e) => e.action === 'taken').map((e) => e.actor.id)).toEqual([winners[0]!.op]);
    }
    for (const op of operators) {
      const mine = (await op.api.get('/api/v1/conversations?tab=mine&limit=100')).body.items as unknown[];
      expect(mine).toHaveLength(wins.get(op.id) ?? 0);
      // D14: the inbox counter in Redis agrees, once the changes have gone through the bus.
      const won = wins.get(op.id) ?? 0;
      const counters = await waitFor(`counters of ${op.id}`, async () => {
        const c = (await op.api.get('/api/v1/conversations/counters')).body;
        return c.mine === won ? c : undefined;
      });
      expect(counters).toEqual({ mine: won, unread: { mine: won, unassigned: 0, closed: 0 } });
    }
    expect((await admin.get('/api/v1/conversations?tab=unassigned')).body.items).toEqual([]);
  });
});
