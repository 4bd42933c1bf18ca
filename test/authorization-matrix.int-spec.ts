import { Client } from 'pg';
import { createTestEnv, HttpClient, startStack, waitFor, type Answer, type Stack, type TestEnv } from '@relaydesk/testing';

/**
 * D34 as a generated table: every conversation, client and canned-response endpoint of the gateway
 * × six callers × the resources below. The expected status of each cell comes from a small model of
 * DOMAIN.md (D1–D4, D7–D9, D16, D19, D21, D22, D27): 404 for what the caller may not see, 403 for what
 * he may see but not do, 409 for what the state forbids, 2xx when allowed. Every cell that may change
 * something gets a fresh fixture, so cells never disturb each other; all requests run in beforeAll and
 * each `it` only judges its recorded answer.
 */

// ── The callers ──────────────────────────────────────────────────────────────────────────────────
type Group = 'A' | 'B';
type CallerKey = 'admin' | 'ann' | 'bob' | 'vic' | 'man' | 'nog';
type Caller = { key: CallerKey; label: string; superAdmin: boolean; groups: Group[]; viewAll: boolean; manage?: boolean };
const callers: Caller[] = [
  { key: 'admin', label: 'super_admin', superAdmin: true, groups: [], viewAll: false },
  { key: 'ann', label: 'operator in group A', superAdmin: false, groups: ['A'], viewAll: false },
  { key: 'bob', label: 'operator in group B', superAdmin: false, groups: ['B'], viewAll: false },
  { key: 'vic', label: 'operator with view_all in group A', superAdmin: false, groups: ['A'], viewAll: true },
  { key: 'man', label: 'operator with manage in group A', superAdmin: false, groups: ['A'], viewAll: false, manage: true },
  { key: 'nog', label: 'operator in no group', superAdmin: false, groups: [], viewAll: false },
];

// ── The resources ────────────────────────────────────────────────────────────────────────────────
type ConvKey = 'unassignedA' | 'heldByAnn' | 'closedByAnn' | 'unassignedB';
type ConvState = { status: 'unassigned' | 'in_progress' | 'closed'; holder: CallerKey | null; group: Group };
const convStates: Record<ConvKey, ConvState> = {
  unassignedA: { status: 'unassigned', holder: null, group: 'A' },
  heldByAnn: { status: 'in_progress', holder: 'ann', group: 'A' },
  closedByAnn: { status: 'closed', holder: 'ann', group: 'A' },
  unassignedB: { status: 'unassigned', holder: null, group: 'B' },
};
const convLabel = (r: ConvKey, c: Caller): string => {
  const own = c.key === 'ann';
  switch (r) {
    case 'unassignedA':
      return 'unassigned conversation in group A';
    case 'heldByAnn':
      return own ? 'own conversation (in his inbox)' : 'other’s conversation (held by the group-A operator)';
    case 'closedByAnn':
      return own ? 'own closed conversation' : 'closed conversation of the group-A operator';
    case 'unassignedB':
      return 'unassigned conversation in group B';
  }
};
type CannedKey = 'global' | 'annsPersonal';
const cannedLabel = (r: CannedKey, c: Caller): string => (r === 'global' ? 'global canned response' : c.key === 'ann' ? 'own personal canned response' : 'personal canned response of the group-A operator');

// ── The model of DOMAIN.md ───────────────────────────────────────────────────────────────────────
/** D1: super_admin, or the view_all or manage permission, opens All and Blacklist. */
const hasAllTab = (c: Caller) => c.superAdmin || c.viewAll || c.manage === true;
/** D3: an operator in groups works within them; one in no group everywhere. */
const inScope = (c: Caller, s: ConvState) => c.superAdmin || c.groups.length === 0 || c.groups.includes(s.group);
const holds = (c: Caller, s: ConvState) => s.holder === c.key;
/** D3 (Unassigned of his groups), D4 (All of his groups), D8/D9 (his inbox and his Closed). */
const sees = (c: Caller, s: ConvState) => c.superAdmin || holds(c, s) || (inScope(c, s) && (hasAllTab(c) || s.status === 'unassigned'));
/** D34: 404 for what he may not see; otherwise what the rule says. */
const ifSeen = (c: Caller, s: ConvState, rule: () => number) => (sees(c, s) ? rule() : 404);
/** D21/D22: a held conversation is handed over by its holder, a manager (conversations.manage) or a super_admin. */
const handOver = (c: Caller, s: ConvState, ok: number) => ifSeen(c, s, () => (s.status === 'closed' ? 409 : s.holder && !holds(c, s) && !c.superAdmin && !c.manage ? 403 : ok));

// ── The fixtures and the endpoints ───────────────────────────────────────────────────────────────
type Fx = { id: string; clientId: string; secret: string; messageId: string };
type Ids = { tia: string; groupC: string };
type Call = (who: HttpClient, fx: Fx, ids: Ids) => Promise<Answer>;
const conv = (fx: Fx, tail = '') => `/api/v1/conversations/${fx.id}${tail}`;
const client = (fx: Fx, tail = '') => `/api/v1/clients/${fx.clientId}${tail}`;

/** `fresh`: the cell may change its resource, so it gets one of its own. */
type ConvEndpoint = { name: string; fresh: boolean; call: Call; expect: (c: Caller, s: ConvState) => number };
const convEndpoints: ConvEndpoint[] = [
  { name: 'GET /conversations/:id', fresh: false, call: (w, fx) => w.get(conv(fx)), expect: (c, s) => ifSeen(c, s, () => 200) },
  { name: 'GET /conversations/:id/messages', fresh: false, call: (w, fx) => w.get(conv(fx, '/messages')), expect: (c, s) => ifSeen(c, s, () => 200) },
  { name: 'GET /conversations/:id/log', fresh: false, call: (w, fx) => w.get(conv(fx, '/log')), expect: (c, s) => ifSeen(c, s, () => 200) },
  {
    name: 'POST /conversations/:id/take',
    fresh: true,
    call: (w, fx) => w.post(conv(fx, '/take')),
    // D7: the loser of a take race (who then no longer sees it) gets 409, so within his groups a take answers 409.
    expect: (c, s) => (sees(c, s) || inScope(c, s) ? (s.status === 'unassigned' ? 200 : 409) : 404),
  },
  { name: 'POST /conversations/:id/close', fresh: true, call: (w, fx) => w.post(conv(fx, '/close')), expect: (c, s) => ifSeen(c, s, () => (s.status !== 'in_progress' ? 409 : holds(c, s) ? 200 : 403)) },
  { name: 'POST /conversations/:id/unassign', fresh: true, call: (w, fx) => w.post(conv(fx, '/unassign')), expect: (c, s) => ifSeen(c, s, () => (s.status !== 'in_progress' ? 409 : holds(c, s) ? 200 : 403)) },
  // D10: the one who closed it starts it again; a super_admin may too.
  { name: 'POST /conversations/:id/reopen', fresh: true, call: (w, fx) => w.post(conv(fx, '/reopen')), expect: (c, s) => ifSeen(c, s, () => (s.status !== 'closed' ? 409 : holds(c, s) || c.superAdmin ? 200 : 403)) },
  // D21: the target operator is in groups A and B, so every caller may pick him; only the conversation decides.
  { name: 'POST /conversations/:id/assign', fresh: true, call: (w, fx, ids) => w.post(conv(fx, '/assign'), { operatorId: ids.tia }), expect: (c, s) => handOver(c, s, 200) },
  { name: 'POST /conversations/:id/group', fresh: true, call: (w, fx, ids) => w.post(conv(fx, '/group'), { groupId: ids.groupC }), expect: (c, s) => handOver(c, s, 200) },
  // D8: only the holder replies, from his inbox.
  { name: 'POST /conversations/:id/messages', fresh: true, call: (w, fx) => w.post(conv(fx, '/messages'), { text: 'a reply' }), expect: (c, s) => ifSeen(c, s, () => (s.status === 'in_progress' && holds(c, s) ? 201 : 403)) },
  // D18: notes are for operators who can see the conversation.
  { name: 'POST /conversations/:id/notes', fresh: true, call: (w, fx) => w.post(conv(fx, '/notes'), { text: 'a note' }), expect: (c, s) => ifSeen(c, s, () => 201) },
  // D23, D24: whoever may open a conversation may mail it and tag its messages.
  { name: 'POST /conversations/:id/transcript', fresh: false, call: (w, fx) => w.post(conv(fx, '/transcript'), { to: 'audit@example.com', subject: 'Matrix' }), expect: (c, s) => ifSeen(c, s, () => 202) },
  { name: 'POST /conversations/:id/tags', fresh: false, call: (w, fx) => w.post(conv(fx, '/tags'), { messageIds: [fx.messageId], tagName: 'Matrix' }), expect: (c, s) => ifSeen(c, s, () => 200) },
  { name: 'POST /conversations/:id/read', fresh: true, call: (w, fx) => w.post(conv(fx, '/read')), expect: (c, s) => ifSeen(c, s, () => 200) },
  // D27: anyone who can open it blacklists; unlocking needs the Blacklist tab (D1) within his groups; these clients are not blacklisted.
  { name: 'POST /conversations/:id/blacklist', fresh: true, call: (w, fx) => w.post(conv(fx, '/blacklist')), expect: (c, s) => ifSeen(c, s, () => 200) },
  { name: 'DELETE /conversations/:id/blacklist', fresh: true, call: (w, fx) => w.delete(conv(fx, '/blacklist')), expect: (c, s) => ifSeen(c, s, () => (hasAllTab(c) && inScope(c, s) ? 409 : 403)) },
  // D17, D19, D34: a client is seen, renamed and annotated by whoever may open his conversation.
  { name: 'GET /clients/:id', fresh: false, call: (w, fx) => w.get(client(fx)), expect: (c, s) => ifSeen(c, s, () => 200) },
  { name: 'PATCH /clients/:id', fresh: true, call: (w, fx) => w.patch(client(fx), { name: 'Renamed' }), expect: (c, s) => ifSeen(c, s, () => 200) },
  { name: 'PUT /clients/:id/note', fresh: true, call: (w, fx) => w.put(client(fx, '/note'), { note: 'a profile note' }), expect: (c, s) => ifSeen(c, s, () => 200) },
];

/** D1, D4, D27: All and Blacklist need the permission; All lists what the caller may open; no client here is blacklisted. */
type Tab = 'all' | 'blacklist';
const tabs: { tab: Tab; listed: (c: Caller, s: ConvState) => boolean }[] = [
  { tab: 'all', listed: sees },
  { tab: 'blacklist', listed: () => false },
];

/** D16, D34: a personal one is its owner's alone (404 to the rest); a global one is changed by a super_admin only. */
const cannedEndpoints: { name: string; ok: number; call: (w: HttpClient, fx: Fx) => Promise<Answer> }[] = [
  { name: 'PATCH /canned-responses/:id', ok: 200, call: (w, fx) => w.patch(`/api/v1/canned-responses/${fx.id}`, { title: 'Changed', text: 'changed text' }) },
  { name: 'DELETE /canned-responses/:id', ok: 204, call: (w, fx) => w.delete(`/api/v1/canned-responses/${fx.id}`) },
];
const expectCanned = (c: Caller, r: CannedKey, ok: number) => (r === 'annsPersonal' ? (c.key === 'ann' ? ok : 404) : c.superAdmin ? ok : 403);

// ── The cells ────────────────────────────────────────────────────────────────────────────────────
type Fixture = { conv: ConvKey; fresh: boolean } | { canned: CannedKey };
type Cell = { key: string; title: string; caller: Caller; fixture: Fixture; expected: number; listed?: boolean; call?: Call; tab?: Tab };
const cellOf = (endpoint: string, c: Caller, resource: string, expected: number, rest: Omit<Cell, 'key' | 'title' | 'caller' | 'expected'>): Cell => {
  const listed = rest.listed === undefined ? '' : rest.listed ? ' (listed)' : ' (not listed)';
  return { key: `${endpoint} | ${c.key} | ${resource}`, title: `D34: ${endpoint} as ${c.label} on ${resource} → ${expected}${listed}`, caller: c, expected, ...rest };
};
const cells: Cell[] = [
  ...convEndpoints.flatMap((e) =>
    callers.flatMap((c) => (Object.keys(convStates) as ConvKey[]).map((r) => cellOf(e.name, c, convLabel(r, c), e.expect(c, convStates[r]), { fixture: { conv: r, fresh: e.fresh }, call: e.call }))),
  ),
  ...tabs.flatMap(({ tab, listed }) =>
    callers.flatMap((c) =>
      (Object.keys(convStates) as ConvKey[]).map((r) => {
        const allowed = hasAllTab(c);
        return cellOf(`GET /conversations?tab=${tab}`, c, convLabel(r, c), allowed ? 200 : 403, { fixture: { conv: r, fresh: false }, tab, ...(allowed ? { listed: listed(c, convStates[r]) } : {}) });
      }),
    ),
  ),
  ...cannedEndpoints.flatMap((e) =>
    callers.flatMap((c) => (['global', 'annsPersonal'] as CannedKey[]).map((r) => cellOf(e.name, c, cannedLabel(r, c), expectCanned(c, r, e.ok), { fixture: { canned: r }, call: e.call }))),
  ),
];

/**
 * Cells whose answer disagrees with DOMAIN.md, kept out of the passing set until the code is fixed.
 * Empty: the one cause found (moves other than take let a caller in scope learn the state of a
 * conversation he may not open) is fixed in move-conversation.ts.
 */
const knownDisagreements = new Set<string>([]);

// ── The run ──────────────────────────────────────────────────────────────────────────────────────
/** Runs `fn` over `items` with at most `width` at once, keeping the order of the answers. */
async function inBatches<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

type Result = { status: number; body: unknown; listed?: boolean; fx: Fx };

describe('authorization matrix (D34)', () => {
  let env: TestEnv;
  let stack: Stack;
  let db: Client;
  const as = {} as Record<CallerKey, HttpClient>;
  const ids = {} as Ids & Record<'A' | 'B', string>;
  const ingestOf = {} as Record<Group, { channelId: string; http: HttpClient }>;
  const results = new Map<string, Result>();
  let seq = 0;
  const timing: Record<string, number> = {};

  /** Fresh conversations in the given states: a client message each, then the group-A operator takes (and closes) them. */
  async function conversations(states: ConvKey[]): Promise<Fx[]> {
    const made = states.map((state) => ({ state, ext: `mx-${++seq}`, secret: `secret words ${seq} 🔒` }));
    await inBatches(made, 32, async (m) => {
      const { channelId, http } = ingestOf[convStates[m.state].group];
      const res = await http.post('/ingest/v1/messages', { channel: 'api', channelId, externalClientId: m.ext, clientName: m.ext, externalMessageId: `${m.ext}-1`, sentAt: new Date().toISOString(), text: m.secret });
      expect(res.status).toBe(200);
    });
    const rows = await waitFor(
      `${made.length} conversations stored`,
      async () => {
        const found = await db.query(
          `SELECT c.id, c.client_id, cl.external_id, (SELECT m.id FROM conversation.message m WHERE m.conversation_id = c.id LIMIT 1) AS message_id
           FROM conversation.conversation c JOIN conversation.client cl ON cl.id = c.client_id WHERE cl.external_id = ANY($1)`,
          [made.map((m) => m.ext)],
        );
        return found.rows.length === made.length ? new Map(found.rows.map((r) => [r.external_id as string, { id: r.id as string, clientId: r.client_id as string, messageId: r.message_id as string }])) : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    const fxs = made.map((m) => ({ state: m.state, secret: m.secret, ...rows.get(m.ext)! }));
    await inBatches(fxs.filter((f) => f.state === 'heldByAnn' || f.state === 'closedByAnn'), 32, async (f) => expect((await as.ann.post(conv(f, '/take'))).status).toBe(200));
    await inBatches(fxs.filter((f) => f.state === 'closedByAnn'), 32, async (f) => expect((await as.ann.post(conv(f, '/close'))).status).toBe(200));
    return fxs.map(({ id, clientId, secret, messageId }) => ({ id, clientId, secret, messageId }));
  }

  async function cannedResponse(which: CannedKey): Promise<Fx> {
    const secret = `canned words ${++seq}`;
    const res = await (which === 'global' ? as.admin : as.ann).post('/api/v1/canned-responses', { title: `Title ${seq}`, text: secret });
    expect(res.status).toBe(201);
    return { id: res.body.id, clientId: res.body.id, secret, messageId: res.body.id };
  }

  /** The whole tab, page after page; `listed` says whether the resource is in it. */
  async function tabOf(who: HttpClient, tab: Tab, fx: Fx): Promise<Result> {
    const items: { id: string }[] = [];
    let cursor: string | null = null;
    for (;;) {
      const res: Answer = await who.get(`/api/v1/conversations?tab=${tab}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      if (res.status !== 200) return { status: res.status, body: res.body, fx };
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
      if (!cursor) return { status: 200, body: { items }, listed: items.some((i) => i.id === fx.id), fx };
    }
  }

  async function run(cell: Cell, fx: Fx): Promise<void> {
    const who = as[cell.caller.key];
    if (cell.tab) return void results.set(cell.key, await tabOf(who, cell.tab, fx));
    const res = await cell.call!(who, fx, ids);
    results.set(cell.key, { status: res.status, body: res.body, fx });
  }

  beforeAll(async () => {
    const started = Date.now();
    env = await createTestEnv();
    stack = await startStack(env.env);
    timing['stack'] = Date.now() - started;
    db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
    const api = new HttpClient(stack.gateway.url);
    const login = async (email: string, password: string) => {
      const res = await api.post('/api/v1/auth/login', { email, password });
      expect(res.status).toBe(200);
      return api.bearer(res.body.accessToken);
    };
    as.admin = await login(stack.admin.email, stack.admin.password);
    const [a, b, c] = await Promise.all(['Group A', 'Group B', 'Group C'].map(async (name) => (await as.admin.post('/api/v1/groups', { name })).body.id as string));
    Object.assign(ids, { A: a!, B: b!, groupC: c! });
    const person = async (key: string, groups: Group[], permissions: string[]) => {
      const made = await as.admin.post('/api/v1/operators', { name: key, email: `${key}@relaydesk.test`, password: `${key}-password`, role: 'operator', permissions, groupIds: groups.map((g) => ids[g]) });
      expect(made.status).toBe(201);
      return { id: made.body.id as string, http: await login(`${key}@relaydesk.test`, `${key}-password`) };
    };
    const people = await Promise.all(callers.filter((c) => !c.superAdmin).map(async (c) => [c.key, await person(c.key, c.groups, [...(c.viewAll ? ['conversations.view_all'] : []), ...(c.manage ? ['conversations.manage'] : [])])] as const));
    for (const [key, p] of people) as[key] = p.http;
    ids.tia = (await person('tia', ['A', 'B'], [])).id;
    for (const g of ['A', 'B'] as const) {
      const apiKey = `authz-matrix-${g}-api-key-0123456789abcdef`;
      const channel = await as.admin.post('/api/v1/channels', { type: 'api', name: `Connector ${g}`, groupId: ids[g], settings: { apiKey } });
      expect(channel.status).toBe(201);
      ingestOf[g] = { channelId: channel.body.id, http: new HttpClient(stack.ingestion.url).bearer(apiKey) };
    }
    timing['setup'] = Date.now() - started;

    // Read-only cells share one conversation per state.
    const convKeys = Object.keys(convStates) as ConvKey[];
    const shared = new Map((await conversations(convKeys)).map((fx, i) => [convKeys[i]!, fx]));
    const isShared = (c: Cell) => 'conv' in c.fixture && !c.fixture.fresh;
    await inBatches(cells.filter(isShared), 24, (cell) => run(cell, shared.get((cell.fixture as { conv: ConvKey }).conv)!));
    timing['read cells'] = Date.now() - started;

    // Every other cell gets its own resource, made in parallel, then all of them run in parallel.
    const freshCells = cells.filter((c) => !isShared(c));
    const convCells = freshCells.filter((c) => 'conv' in c.fixture);
    const convFixtures = await conversations(convCells.map((c) => (c.fixture as { conv: ConvKey }).conv));
    const cannedCells = freshCells.filter((c) => 'canned' in c.fixture);
    const cannedFixtures = await inBatches(cannedCells, 16, (c) => cannedResponse((c.fixture as { canned: CannedKey }).canned));
    timing['fresh fixtures'] = Date.now() - started;
    await inBatches(
      [...convCells.map((c, i) => [c, convFixtures[i]!] as const), ...cannedCells.map((c, i) => [c, cannedFixtures[i]!] as const)],
      24,
      ([cell, fx]) => run(cell, fx),
    );
    timing['all cells'] = Date.now() - started;
  }, 180_000);

  afterAll(async () => {
    if (process.env['DEBUG_OUTPUT']) {
      console.log('authorization matrix:', cells.length, 'cells', timing);
      for (const key of knownDisagreements) console.log('disagreement:', key, '→', results.get(key)?.status, JSON.stringify(results.get(key)?.body));
    }
    await db?.end();
    await stack?.stop();
    await env?.dispose();
  });

  const judge = (cell: Cell) => {
    const r = results.get(cell.key)!;
    const listed = cell.listed === undefined ? {} : { listed: r.listed };
    const detail = r.status === cell.expected ? '' : JSON.stringify(r.body).slice(0, 300);
    expect({ cell: cell.key, status: r.status, ...listed, detail }).toEqual({ cell: cell.key, status: cell.expected, ...(cell.listed === undefined ? {} : { listed: cell.listed }), detail: '' });
  };

  for (const cell of cells.filter((c) => !knownDisagreements.has(c.key))) it(cell.title, () => judge(cell));

  describe('known disagreements (reported)', () => {
    for (const cell of cells.filter((c) => knownDisagreements.has(c.key))) it.failing(cell.title, () => judge(cell));
  });

  it('D34: every cell was run, none answered 5xx, and the disagreement list names real cells', () => {
    expect(results.size).toBe(cells.length);
    expect([...results].filter(([, r]) => r.status >= 500).map(([key, r]) => `${key} → ${r.status}`)).toEqual([]);
    expect([...knownDisagreements].filter((key) => !cells.some((c) => c.key === key))).toEqual([]);
  });

  it('D34: no 404 answer leaks the id or text of the resource', () => {
    const leaks = [...results]
      .filter(([, r]) => r.status === 404)
      .filter(([, r]) => [r.fx.id, r.fx.clientId, r.fx.secret].some((s) => JSON.stringify(r.body).includes(s)))
      .map(([key]) => key);
    expect(leaks).toEqual([]);
    expect([...results].filter(([, r]) => r.status === 404).length).toBeGreaterThan(0);
  });
});
