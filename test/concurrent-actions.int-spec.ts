import { isDeepStrictEqual } from 'node:util';
import { Client } from 'pg';
import { countersInDatabase } from './support/counters-in-database';
import { createTestEnv, startStack, StreamClient, waitFor, Workspace, type Answer, type HttpClient, type Stack, type TestEnv } from '@relaydesk/testing';
import type { Tab } from '../services/operator-ui/src/api/types';
import { initialState, reduce, type ListState } from '../services/operator-ui/src/workspace/list-state';

const CLIENTS = 3;
const WORKERS = 12;
const ACTIONS = 1_200;

type Operator = { id: string; api: HttpClient; groupIds: string[]; allTab: boolean };
type Conversation = { id: string; clientId: string; externalId: string };
/** A tab of an operator's web app as it read it before the actions, and the stream that kept it since. */
type Screen = { operator: Operator; tab: Tab; read: ListState; stream: StreamClient; from: number };

/** A fixed sequence of choices, so that a failing run can be replayed. */
function choices(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** Every movement, client action and client message at once, on the same few conversations, by operators of two groups and a super_admin. */
describe('operators and clients acting on the same conversations at once', () => {
  let env: TestEnv;
  let stack: Stack;
  let db: Client;
  const operators: Operator[] = [];
  const conversations: Conversation[] = [];
  const groups: string[] = [];
  let send: (client: string, text: string) => Promise<unknown>;
  const screens: Screen[] = [];
  const streams: StreamClient[] = [];

  beforeAll(async () => {
    env = await createTestEnv();
    stack = await startStack(env.env);
    const workspace = await Workspace.open(stack);
    groups.push(await workspace.group('Sales'), await workspace.group('Support'));
    const [sales, support] = groups as [string, string];
    for (const [name, permissions] of [['Ann', []], ['Ben', []], ['Vera', ['conversations.view_all']], ['Max', ['conversations.manage']]] as const) {
      operators.push({ ...(await workspace.operator(name, [sales], [...permissions])), groupIds: [sales], allTab: permissions.length > 0 });
    }
    operators.push({ ...(await workspace.operator('Cid', [support])), groupIds: [support], allTab: false });
    operators.push({ id: (await workspace.admin.get('/api/v1/me')).body.id, api: workspace.admin, groupIds: [sales, support], allTab: true });
    ({ send } = await workspace.apiChannel(sales));
    for (let i = 0; i < CLIENTS; i++) await send(`client-${i}`, 'hello');
    const items = await waitFor('the conversations listed', async () => {
      const listed = (await operators[0]!.api.get('/api/v1/conversations?tab=unassigned&limit=100')).body.items as { id: string; client: { id: string; name: string } }[];
      return listed.length === CLIENTS ? listed : undefined;
    });
    for (const item of items) conversations.push({ id: item.id, clientId: item.client.id, externalId: item.client.name });
    db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
    for (const operator of operators) {
      const stream = await StreamClient.open(stack.gateway.url, { api: operator.api });
      streams.push(stream);
      for (const tab of ['unassigned', 'mine', 'closed', ...(operator.allTab ? ['all', 'blacklist'] : [])] as Tab[]) {
        const opened = reduce(reduce(initialState(operator.id, tab), { type: 'stream', status: 'online', epoch: 1 }), { type: 'open', tab, filters: {} });
        const page = (await operator.api.get(`/api/v1/conversations?tab=${tab}&limit=100`)).body;
        screens.push({ operator, tab, read: reduce(opened, { type: 'page', generation: opened.generation, page, append: false }), stream, from: stream.frames.length });
      }
    }
  }, 120_000);

  afterAll(async () => {
    for (const stream of streams) stream.ws.close();
    await db?.end();
    await stack?.stop();
    await env?.dispose();
  });

  it('D7, D12, D14, D19, D27, D33: every answer is 2xx or a 4xx, never 5xx; each log’s last move ends in its conversation’s state, and the counters equal PostgreSQL', async () => {
    const next = choices(20261207);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const actions: ((o: Operator, c: Conversation) => Promise<unknown>)[] = [
      (o, c) => o.api.post(`/api/v1/conversations/${c.id}/take`),
      (o, c) => o.api.post(`/api/v1/conversations/${c.id}/close`),
      (o, c) => o.api.post(`/api/v1/conversations/${c.id}/unassign`),
      (o, c) => o.api.post(`/api/v1/conversations/${c.id}/reopen`),
      (o, c) => o.api.post(`/api/v1/conversations/${c.id}/assign`, { operatorId: pick(operators).id }),
      (o, c) => o.api.post(`/api/v1/conversations/${c.id}/group`, { groupId: pick(groups) }),
      (o, c) => o.api.post(`/api/v1/conversations/${c.id}/read`),
      (o, c) => o.api.post(`/api/v1/conversations/${c.id}/messages`, { text: 'on it' }),
      (o, c) => o.api.post(`/api/v1/conversations/${c.id}/notes`, { text: 'called back' }),
      (o, c) => o.api.post(`/api/v1/conversations/${c.id}/blacklist`),
      (o, c) => o.api.delete(`/api/v1/conversations/${c.id}/blacklist`),
      (o, c) => o.api.post(`/api/v1/clients/${c.clientId}/pin`),
      (o, c) => o.api.delete(`/api/v1/clients/${c.clientId}/pin`),
      (o, c) => o.api.patch(`/api/v1/clients/${c.clientId}`, { name: `${c.externalId} (renamed)` }),
      (o, c) => o.api.put(`/api/v1/clients/${c.clientId}/note`, { note: `seen by ${o.id}` }),
      (_o, c) => send(c.externalId, 'any news?'),
    ];
    const plan = Array.from({ length: ACTIONS }, () => ({ action: Math.floor(next() * actions.length), operator: pick(operators), conversation: pick(conversations) }));
    const failures: string[] = [];
    let taken = 0;
    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        for (let step = taken++; step < plan.length; step = taken++) {
          const { action, operator, conversation } = plan[step]!;
          const { status, body } = (await actions[action]!(operator, conversation)) as Answer;
          if (status >= 500) failures.push(`step ${step}, action ${action}: ${status} ${JSON.stringify(body)}`);
        }
      }),
    );
    expect(failures).toEqual([]);

    const { rows: unlogged } = await db.query(
      `SELECT c.id, c.status, c.assignee_id, c.group_id, last.to_state
       FROM conversation.conversation c
       CROSS JOIN LATERAL (SELECT to_state FROM conversation.conversation_log l WHERE l.conversation_id = c.id AND l.to_state ? 'status' ORDER BY l.id DESC LIMIT 1) last
       WHERE last.to_state <> jsonb_build_object('status', c.status, 'assigneeId', c.assignee_id, 'groupId', c.group_id)`,
    );
    expect(unlogged).toEqual([]);
    await waitFor(
      'counters equal to PostgreSQL',
      async () => {
        for (const o of operators) {
          const [redis, truth] = [(await o.api.get('/api/v1/conversations/counters')).body, await countersInDatabase(db, o.id, o.groupIds, o)];
          if (!isDeepStrictEqual(redis, truth)) throw new Error(`operator ${o.id}: Redis ${JSON.stringify(redis)} vs PostgreSQL ${JSON.stringify(truth)}`);
        }
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  }, 180_000);

  it('D26, D34: each operator finds by search exactly the conversations he may open that hold the word, a blacklisted client’s only with the All tab', async () => {
    // A fixed ending on top of whatever the plan left: Ann holds a blacklisted client, Ben a closed conversation.
    const [ann, ben, , , , admin] = operators as [Operator, Operator, Operator, Operator, Operator, Operator];
    const [first, second] = conversations as [Conversation, Conversation];
    for (const c of [first, second]) await send(c.externalId, 'any news?');
    const settled = (answer: Answer) => expect([200, 409]).toContain(answer.status);
    settled(await admin.api.delete(`/api/v1/conversations/${first.id}/blacklist`));
    settled(await admin.api.post(`/api/v1/conversations/${first.id}/assign`, { operatorId: ann.id }));
    expect((await ann.api.post(`/api/v1/conversations/${first.id}/blacklist`)).status).toBe(200);
    settled(await admin.api.delete(`/api/v1/conversations/${second.id}/blacklist`));
    settled(await admin.api.post(`/api/v1/conversations/${second.id}/assign`, { operatorId: ben.id }));
    expect((await ben.api.post(`/api/v1/conversations/${second.id}/close`)).status).toBe(200);
    await waitFor(
      'search agrees with what each operator may open',
      async () => {
        const { rows } = await db.query<{ id: string }>(`SELECT DISTINCT conversation_id AS id FROM conversation.message WHERE text ~ '\\mnews\\M'`);
        for (const o of operators) {
          const expected: string[] = [];
          for (const { id } of rows) {
            const opened = await o.api.get(`/api/v1/conversations/${id}`);
            if (opened.status === 200 && (!opened.body.client.blacklisted || o.allTab)) expected.push(id);
          }
          const found = ((await o.api.get('/api/v1/search?q=news&limit=50')).body.items as { conversation: { id: string } }[]).map((h) => h.conversation.id);
          if (!isDeepStrictEqual([...found].sort(), expected.sort())) throw new Error(`${o.id}: found ${JSON.stringify(found)}, may open ${JSON.stringify(expected)}`);
        }
        return true;
      },
      { timeoutMs: 15_000, intervalMs: 250 },
    );
  });

  it('D13, D14: every tab of every operator, kept by the live stream alone, then equals a fresh read, counters included', async () => {
    const shown = (s: Screen): ListState => s.stream.frames.slice(s.from).reduce((state, frame) => reduce(state, { type: 'frame', frame }), s.read);
    await waitFor(
      'the screens equal to a fresh read',
      async () => {
        for (const s of screens) {
          const state = shown(s);
          const read = { items: ((await s.operator.api.get(`/api/v1/conversations?tab=${s.tab}&limit=100`)).body.items as { id: string }[]).map((i) => i.id), counters: (await s.operator.api.get('/api/v1/conversations/counters')).body };
          const screen = { items: state.items.map((i) => i.id), counters: state.counters, stale: state.stale };
          if (!isDeepStrictEqual(screen, { ...read, stale: false })) throw new Error(`${s.operator.id} ${s.tab}: screen ${JSON.stringify(screen)} vs read ${JSON.stringify(read)}`);
        }
        return true;
      },
      { timeoutMs: 15_000, intervalMs: 250 },
    );
  });
});
