import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { IDENTITY_HEADER, type CallerIdentity, type ConversationTab } from '@relaydesk/contracts';
import { signIdentity } from '@relaydesk/service-kit';
import { HttpClient, Workspace, type Stack, type TestEnv } from '@relaydesk/testing';
import { listQuery } from '../services/conversation/src/store/conversation.repository';
import { cpuBetween, cpuSnapshot, type CpuUse } from './sampler';
import { line, ms, round, summarize, type Summary } from './stats';

/**
 * The list endpoint (GET /api/v1/conversations) on a large inbox, beside the raw SQL of the same page.
 * 100,000 clients and conversations and 1,000,000 messages are loaded straight into the conversation
 * schema with a few INSERT … SELECT; then, for each tab, its first page and a deep page (reached by
 * following nextCursor) are fetched through the gateway and, alternately, the very SQL the conversation
 * service runs for that page (captured from `listConversations` itself) is run with pg on the same
 * database. Both are sequential, one at a time, after a warm-up.
 */

export type ListConfig = {
  conversations: number;
  messagesPerConversation: number;
  requests: number;
  warmup: number;
  /** How many rows into the tab the deep page starts, at most (half the tab if it is shorter). */
  deepRows: number;
  limit: number;
};

export type Operator = { id: string; token: string; identity: CallerIdentity };
export type Scene = { groups: string[]; channels: string[]; operators: Operator[]; admin: Operator };

const GROUP_SHARE = [0.5, 0.3, 0.2];
const OPERATORS_PER_GROUP = 4;

/** Groups, channels and operators through the public API, as an administrator would make them; `prefix` names them (another part's scene beside this one). */
export async function setUpScene(stack: Stack, prefix = 'List'): Promise<Scene> {
  const ws = await Workspace.open(stack);
  const groups: string[] = [];
  const channels: string[] = [];
  const operators: Operator[] = [];
  for (const [g, name] of ['Sales', 'Support', 'Billing'].entries()) {
    const group = await ws.admin.post<{ id: string }>('/api/v1/groups', { name: `${prefix} ${name}` });
    if (group.status !== 201) throw new Error(`create group: HTTP ${group.status} ${JSON.stringify(group.body)}`);
    const groupId = group.body.id;
    groups.push(groupId);
    const channel = await ws.admin.post<{ id: string }>('/api/v1/channels', { type: 'api', name: `${prefix} ${name} connector`, groupId, settings: { apiKey: `${prefix.toLowerCase()}-bench-connector-key-${g}` } });
    if (channel.status !== 201) throw new Error(`create channel: HTTP ${channel.status} ${JSON.stringify(channel.body)}`);
    channels.push(channel.body.id);
    for (let k = 0; k < OPERATORS_PER_GROUP; k++) {
      const who = `${prefix} ${name} ${k + 1}`;
      await ws.operator(who, [groupId]);
      operators.push(await logIn(stack, `${who.toLowerCase().replace(/\W+/g, '.')}@relaydesk.test`, `${who}-password`));
    }
  }
  return { groups, channels, operators, admin: await logIn(stack, stack.admin.email, stack.admin.password) };
}

async function logIn(stack: Stack, email: string, password: string): Promise<Operator> {
  const answer = await new HttpClient(stack.gateway.url).post('/api/v1/auth/login', { email, password });
  if (answer.status !== 200) throw new Error(`login ${email}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
  const op = answer.body.operator as { id: string; role: CallerIdentity['role']; permissions: CallerIdentity['permissions']; groupIds: string[] };
  return { id: op.id, token: answer.body.accessToken as string, identity: { operatorId: op.id, role: op.role, permissions: op.permissions, groupIds: op.groupIds } };
}

/** Every column the loader writes; a NOT NULL column without a default outside this list fails the load by name. */
const LOADED = {
  client: ['id', 'channel', 'channel_id', 'external_id', 'name', 'original_name', 'phone', 'note', 'blacklisted', 'created_at', 'blocked_messages', 'pinned_operator_id'],
  conversation: ['id', 'client_id', 'status', 'assignee_id', 'group_id', 'status_changed_at', 'closed_at', 'last_message_at', 'last_message_text', 'last_message_direction', 'unread_count'],
  message: ['id', 'conversation_id', 'direction', 'kind', 'text', 'channel_id', 'external_message_id', 'sender_operator_id', 'idempotency_key', 'created_at', 'delivery_status', 'delivery_at'],
};

export type LoadResult = { conversations: number; messages: number; seconds: Record<string, number>; totalSeconds: number; tables: Record<string, { rows: number; mb: number }> };

/**
 * What the loader writes as message texts and client names: SQL expressions of the conversation's
 * number (`n`, 1 … conversations), evaluated once per row (volatile: `random()` gives each row its
 * own). `setUp` runs first, on the same session (temp tables the expressions read).
 */
export type InboxText = {
  setUp?: (db: Client) => Promise<void>;
  lastMessage: (n: string) => string;
  message: (n: string, k: string) => string;
  clientName: (n: string) => string;
  /** How long before the load's "now" the last message of a conversation that would end after it falls (an interval; 0 when unset). */
  beforeNow?: string;
};

/** The list part's texts: short, numbered, one language (what its figures were measured with). */
const plainText: InboxText = {
  lastMessage: (n) =>
    `(ARRAY['Hello, my order has not arrived yet', 'Can I change the delivery address?', 'Thanks, that solved it!',
            'Where can I find my invoice?', 'The app logs me out every time I open it'])[1 + ${n} % 5] || ' (#' || ${n} || ')'`,
  message: (n, k) => `'Message ' || ${k} || ' of conversation ' || ${n}`,
  clientName: (n) => `'Client ' || ${n}`,
};

/**
 * The inbox of a busy workspace: group shares 50/30/20 %, 15 % unassigned (the last 3 days), 15 % in
 * progress (the last 14 days), 70 % closed (the last 90 days); assignees among the group's operators,
 * the first operator of the first group holding 40 % of his group's; 1 % of clients blacklisted, 2 %
 * pinned; `perConversation` messages each, alternating in/out, the last one the conversation's last
 * message. Times are cut to milliseconds, as the service stores them (JavaScript dates).
 */
export async function loadInbox(db: Client, scene: Scene, cfg: ListConfig, text: InboxText = plainText): Promise<LoadResult> {
  const missing = await db.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
     WHERE table_schema = 'conversation' AND table_name = ANY($1) AND is_nullable = 'NO' AND column_default IS NULL AND is_generated = 'NEVER'`,
    [Object.keys(LOADED)],
  );
  const unknown = missing.rows.filter((r) => !LOADED[r.table_name as keyof typeof LOADED].includes(r.column_name));
  if (unknown.length) throw new Error(`the list bench's loader does not fill these NOT NULL columns: ${unknown.map((r) => `${r.table_name}.${r.column_name}`).join(', ')}`);

  const seconds: Record<string, number> = {};
  const timed = async (what: string, sql: string, params: unknown[] = []) => {
    const t0 = performance.now();
    const result = await db.query(sql, params);
    seconds[what] = round((performance.now() - t0) / 1000);
    return result.rowCount ?? 0;
  };
  const t0 = performance.now();
  await db.query('SELECT setseed(0.42)');
  if (text.setUp) {
    const t1 = performance.now();
    await text.setUp(db);
    seconds['text set-up'] = round((performance.now() - t1) / 1000);
  }
  await timed(
    'seed',
    `CREATE TEMP TABLE list_seed AS
     WITH p AS (SELECT $1::uuid[] AS groups, $2::uuid[] AS ops, $3::uuid[] AS channels, date_trunc('milliseconds', now()) AS t),
     base AS (
       SELECT n, gen_random_uuid() AS client_id, gen_random_uuid() AS conversation_id,
              random() AS r_group, random() AS r_status, random() AS r_op, random() AS r_age, random() AS r_span, random() AS r_misc, random() AS r_unread
       FROM generate_series(1, $4::int) n
     ),
     shaped AS (
       SELECT b.*, CASE WHEN r_group < $5::float8 THEN 0 WHEN r_group < $5::float8 + $6::float8 THEN 1 ELSE 2 END AS g,
              CASE WHEN r_status < 0.15 THEN 'unassigned' WHEN r_status < 0.30 THEN 'in_progress' ELSE 'closed' END AS status
       FROM base b
     ),
     timed AS (
       SELECT s.*, p.t,
              p.t - interval '1 day' * (CASE s.status WHEN 'unassigned' THEN 3 WHEN 'in_progress' THEN 14 ELSE 90 END) * r_age AS created
       FROM shaped s, p
     )
     SELECT n, client_id, conversation_id, g, status, p.groups[g + 1] AS group_id, p.channels[g + 1] AS channel_id,
            CASE WHEN status = 'unassigned' THEN NULL
                 WHEN g = 0 AND r_op < 0.4 THEN p.ops[1]
                 WHEN g = 0 THEN p.ops[2 + floor((r_op - 0.4) / 0.6 * 3)::int]
                 ELSE p.ops[g * 4 + 1 + floor(r_op * 4)::int] END AS assignee_id,
            p.ops[g * 4 + 1 + (n % 4)] AS some_operator_id,
            date_trunc('milliseconds', created) AS created,
            date_trunc('milliseconds', ${text.beforeNow ? `greatest(created, least(timed.t - ${text.beforeNow}, created + interval '1 minute' * (5 + r_span * 2880)))` : "least(timed.t, created + interval '1 minute' * (5 + r_span * 2880))"}) AS last,
            CASE WHEN status = 'unassigned' THEN 'in' WHEN r_misc < 0.5 THEN 'in' ELSE 'out' END AS last_dir,
            ${text.lastMessage('n')} AS last_text, ${text.clientName('n')} AS client_name,
            r_misc, r_unread, timed.t
     FROM timed, p`,
    [scene.groups, scene.operators.map((o) => o.id), scene.channels, cfg.conversations, GROUP_SHARE[0], GROUP_SHARE[1]],
  );
  await timed(
    'times',
    `ALTER TABLE list_seed ADD COLUMN status_changed_at timestamptz, ADD COLUMN closed_at timestamptz;
     UPDATE list_seed SET
       closed_at = CASE WHEN status = 'closed' THEN date_trunc('milliseconds', least(t, last + interval '1 minute' * (1 + r_misc * 120))) END,
       status_changed_at = CASE status WHEN 'unassigned' THEN created
                                       WHEN 'in_progress' THEN date_trunc('milliseconds', created + (last - created) * 0.1)
                                       ELSE date_trunc('milliseconds', least(t, last + interval '1 minute' * (1 + r_misc * 120))) END`,
  );
  const clients = await timed(
    'clients',
    `INSERT INTO conversation.client (id, channel, channel_id, external_id, name, original_name, phone, note, blacklisted, created_at, blocked_messages, pinned_operator_id)
     SELECT client_id, 'api', channel_id, 'list-client-' || n, client_name, client_name, NULL, '', n % 100 = 0, created, 0,
            CASE WHEN n % 50 = 7 THEN some_operator_id END
     FROM list_seed`,
  );
  const conversations = await timed(
    'conversations',
    `INSERT INTO conversation.conversation (id, client_id, status, assignee_id, group_id, status_changed_at, closed_at, last_message_at, last_message_text, last_message_direction, unread_count)
     SELECT conversation_id, client_id, status, assignee_id, group_id, status_changed_at, closed_at, last, last_text, last_dir,
            CASE status WHEN 'unassigned' THEN 1 + floor(r_unread * 4)::int
                        WHEN 'in_progress' THEN CASE WHEN last_dir = 'in' THEN floor(r_unread * 3)::int ELSE 0 END
                        ELSE 0 END
     FROM list_seed`,
  );
  const messages = await timed(
    'messages',
    `INSERT INTO conversation.message (id, conversation_id, direction, kind, text, channel_id, external_message_id, sender_operator_id, idempotency_key, created_at, delivery_status, delivery_at)
     SELECT gen_random_uuid(), s.conversation_id, d.direction, 'text', CASE WHEN k = $1 THEN s.last_text ELSE ${text.message('s.n', 'k')} END,
            s.channel_id, CASE WHEN d.direction = 'in' THEN 'list-' || s.n || '-' || k END,
            CASE WHEN d.direction = 'out' THEN coalesce(s.assignee_id, s.some_operator_id) END, NULL, d.at,
            CASE WHEN d.direction = 'out' THEN 'delivered' END, CASE WHEN d.direction = 'out' THEN d.at + interval '2 seconds' END
     FROM list_seed s CROSS JOIN generate_series(1, $1::int) k
     CROSS JOIN LATERAL (
       SELECT CASE WHEN k = $1 THEN s.last_dir WHEN k % 2 = 1 THEN 'in' ELSE 'out' END AS direction,
              CASE WHEN k = $1 THEN s.last ELSE date_trunc('milliseconds', s.created + (s.last - s.created) * ((k - 1)::float8 / greatest($1 - 1, 1))) END AS at
     ) d`,
    [cfg.messagesPerConversation],
  );
  await timed('analyze', 'ANALYZE conversation.client, conversation.conversation, conversation.message');
  await db.query('DROP TABLE list_seed');
  if (clients !== cfg.conversations || conversations !== cfg.conversations) throw new Error(`loaded ${clients} clients and ${conversations} conversations, expected ${cfg.conversations}`);
  const sizes = await db.query<{ name: string; rows: string; bytes: string }>(
    `SELECT c.relname AS name, c.reltuples::bigint AS rows, pg_total_relation_size(c.oid) AS bytes
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'conversation' AND c.relname IN ('client', 'conversation', 'message')`,
  );
  const tables = Object.fromEntries(sizes.rows.map((r) => [r.name, { rows: Number(r.rows), mb: round(Number(r.bytes) / 2 ** 20) }]));
  return { conversations, messages, seconds, totalSeconds: round((performance.now() - t0) / 1000), tables };
}

/** One kept-alive socket to a service, timed from sending the request to the last byte of the answer. */
export class Http {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private readonly url: URL;

  constructor(base: string) {
    this.url = new URL(base);
  }

  get(path: string, headers: Record<string, string>): Promise<{ status: number; text: string; ms: number }> {
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = request({ agent: this.agent, host: this.url.hostname, port: this.url.port, path, method: 'GET', headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t0 }));
        res.on('error', reject);
      });
      req.setTimeout(30_000, () => req.destroy(new Error(`GET ${path}: no answer within 30 s`)));
      req.on('error', reject);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export type Case = { name: string; tab: ConversationTab; as: Operator; groupId?: string };
type Page = { cursor?: string; after?: { key: string; id: string }; depth: number };
type Item = { id: string; listedAt: string };

export type ListCase = {
  name: string;
  tab: ConversationTab;
  query: string;
  depth: number;
  tabRows: number;
  items: number;
  gatewayMs: Summary;
  serviceMs: Summary;
  rawSqlMs: Summary;
  ratioP95: number;
  ratioP50: number;
  explain: { planningMs: number; executionMs: number; plan: string };
};

export type ListResult = { config: ListConfig; load: LoadResult; cases: ListCase[]; worstRatioP95: number; goalMet: boolean; cpu: CpuUse };

/** The SQL and parameters the conversation service sends for this page (`listQuery`, as `listConversations` runs it). */
function pageSql(c: Case, limit: number, after: { key: string; id: string } | undefined): { sql: string; params: unknown[] } {
  const caller = c.as.identity;
  // What listTab (services/conversation/src/domain/list-conversations.ts) passes for this caller and query.
  return listQuery({
    tab: c.tab,
    operatorId: caller.operatorId,
    scopeGroupIds: caller.role !== 'super_admin' && caller.groupIds.length > 0 ? caller.groupIds : undefined,
    groupId: c.groupId,
    cursor: after,
    limit: limit + 1,
  });
}

const queryOf = (c: Case, limit: number, cursor?: string): string =>
  `/api/v1/conversations?${new URLSearchParams({ tab: c.tab, ...(c.groupId ? { groupId: c.groupId } : {}), limit: String(limit), ...(cursor ? { cursor } : {}) }).toString()}`;

/** Follows nextCursor through the gateway, 100 at a time, to about `rows` items into the tab. */
async function deepPage(gateway: Http, c: Case, rows: number): Promise<Page> {
  let page: Page = { depth: 0 };
  while (page.depth < rows) {
    const step = Math.min(100, rows - page.depth);
    const res = await gateway.get(queryOf(c, step, page.cursor), { authorization: `Bearer ${c.as.token}` });
    if (res.status !== 200) throw new Error(`${c.name}: walking to row ${rows}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
    const body = JSON.parse(res.text) as { items: Item[]; nextCursor: string | null };
    const last = body.items.at(-1);
    if (!body.nextCursor || !last) break;
    page = { cursor: body.nextCursor, after: { key: last.listedAt, id: last.id }, depth: page.depth + body.items.length };
  }
  return page;
}

async function measureCase(http: { gateway: Http; service: Http }, db: Client, env: TestEnv, c: Case, page: Page, tabRows: number, cfg: ListConfig): Promise<ListCase> {
  const { sql, params } = pageSql(c, cfg.limit, page.after);
  const path = queryOf(c, cfg.limit, page.cursor);
  const viaGateway = () => http.gateway.get(path, { authorization: `Bearer ${c.as.token}` });
  // Straight to the conversation service, as the gateway calls it (signed identity), without the gateway's work.
  const servicePath = path.replace('/api/v1', '');
  const viaService = () => http.service.get(servicePath, { [IDENTITY_HEADER]: signIdentity(c.as.identity, env.env['INTERNAL_SECRET']!, { method: 'GET', path: servicePath }) });
  const raw = async () => {
    const t0 = performance.now();
    const result = await db.query(sql, params);
    return { rows: result.rows as { id: string }[], ms: performance.now() - t0 };
  };

  // The same page both ways, or the comparison means nothing.
  const first = await viaGateway();
  if (first.status !== 200) throw new Error(`${c.name}: HTTP ${first.status} ${first.text.slice(0, 300)}`);
  const items = (JSON.parse(first.text) as { items: Item[] }).items;
  const rawIds = (await raw()).rows.slice(0, cfg.limit).map((r) => r.id);
  if (items.length === 0 || items.map((i) => i.id).join() !== rawIds.join()) {
    throw new Error(`${c.name}: the gateway's page (${items.length} items) is not the raw SQL's page (${rawIds.length} rows)`);
  }

  for (let i = 0; i < cfg.warmup; i++) {
    await viaGateway();
    await viaService();
    await raw();
  }
  const gatewayMs: number[] = [];
  const serviceMs: number[] = [];
  const rawMs: number[] = [];
  // Interleaved, so whatever else the machine does weighs on all three alike.
  for (let i = 0; i < cfg.requests; i++) {
    const g = await viaGateway();
    if (g.status !== 200) throw new Error(`${c.name}: HTTP ${g.status} ${g.text.slice(0, 300)}`);
    gatewayMs.push(g.ms);
    const s = await viaService();
    if (s.status !== 200) throw new Error(`${c.name} (conversation service): HTTP ${s.status} ${s.text.slice(0, 300)}`);
    serviceMs.push(s.ms);
    rawMs.push((await raw()).ms);
  }
  const explained = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
  const planText = explained.rows.map((r) => r['QUERY PLAN']);
  const timeOf = (label: string) => Number(planText.find((l) => l.startsWith(label))?.match(/([\d.]+) ms/)?.[1] ?? NaN);
  const gateway = summarize(gatewayMs);
  const rawSql = summarize(rawMs);
  return {
    name: c.name,
    tab: c.tab,
    query: path.replace(/cursor=[^&]+/, 'cursor=…'),
    depth: page.depth,
    tabRows,
    items: items.length,
    gatewayMs: gateway,
    serviceMs: summarize(serviceMs),
    rawSqlMs: rawSql,
    ratioP95: Math.round((gateway.p95 / rawSql.p95) * 10) / 10,
    ratioP50: Math.round((gateway.p50 / rawSql.p50) * 10) / 10,
    explain: { planningMs: timeOf('Planning Time'), executionMs: timeOf('Execution Time'), plan: planText.join('\n') },
  };
}

/** How many rows the tab holds for this caller: the page query without cursor and limit. */
async function tabSize(db: Client, c: Case): Promise<number> {
  const { sql, params } = pageSql(c, 1, undefined);
  const unlimited = sql.replace(/\s+LIMIT \$\d+\s*$/, '');
  if (unlimited === sql) throw new Error(`the list query no longer ends with LIMIT $n: ${sql}`);
  const n = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${unlimited}) page`, params.slice(0, -1));
  return n.rows[0]!.n;
}

export async function runListBench(env: TestEnv, stack: Stack, cfg: ListConfig, log: (s: string) => void): Promise<ListResult> {
  const db = new Client({ connectionString: env.databaseUrl, options: '-c search_path=conversation' });
  await db.connect();
  const http = { gateway: new Http(stack.gateway.url), service: new Http(stack.conversation.url) };
  try {
    const scene = await setUpScene(stack);
    log(`list bench: loading ${cfg.conversations} conversations and ${cfg.conversations * cfg.messagesPerConversation} messages…`);
    const loaded = await loadInbox(db, scene, cfg);
    log(`list bench: loaded in ${loaded.totalSeconds} s (${Object.entries(loaded.seconds).map(([k, v]) => `${k} ${v} s`).join(', ')})`);

    const [heavy, teammate] = scene.operators;
    const cases: Case[] = [
      { name: 'unassigned', tab: 'unassigned', as: teammate! },
      { name: 'mine', tab: 'mine', as: heavy! },
      { name: 'all', tab: 'all', as: scene.admin },
      { name: 'all, smallest group', tab: 'all', as: scene.admin, groupId: scene.groups[2]! },
      { name: 'closed', tab: 'closed', as: heavy! },
    ];
    const results: ListCase[] = [];
    const named = new Map<number, string>([[process.pid, 'bench'], ...(['gateway', 'ingestion', 'routing', 'conversation'] as const).map((s) => [stack[s].process.pid!, s] as [number, string])]);
    const cpuBefore = cpuSnapshot(named);
    for (const c of cases) {
      const rows = await tabSize(db, c);
      const deep = await deepPage(http.gateway, c, Math.min(cfg.deepRows, Math.floor(rows / 2)));
      for (const [which, page] of [['first page', { depth: 0 }], [`page at row ${deep.depth}`, deep]] as const) {
        results.push(await measureCase(http, db, env, { ...c, name: `${c.name} ${which}` }, page, rows, cfg));
      }
    }
    const cpu = cpuBetween(cpuBefore, cpuSnapshot(named));
    const worst = Math.max(...results.map((r) => r.ratioP95));
    return { config: cfg, load: loaded, cases: results, worstRatioP95: worst, goalMet: worst <= 2, cpu };
  } finally {
    http.gateway.close();
    http.service.close();
    await db.end();
  }
}

export function reportList(r: ListResult): string[] {
  const l = r.load;
  const noise = (r.cpu.byGroup['other'] ?? 0) + r.cpu.unattributed;
  return [
    line(
      'list bench data',
      `${l.conversations} conversations, ${l.messages} messages loaded in ${l.totalSeconds} s`,
      Object.entries(l.tables)
        .map(([t, s]) => `${t} ${s.mb} MB`)
        .join(', '),
    ),
    ...r.cases.map((c) => `list ${c.name}: p95 ${ms(c.gatewayMs.p95)} via gateway vs ${ms(c.rawSqlMs.p95)} raw SQL (${c.ratioP95}x, goal ≤ 2x)  p50 ${ms(c.gatewayMs.p50)} vs ${ms(c.rawSqlMs.p50)}  conversation service alone p95 ${ms(c.serviceMs.p95)}`),
    line('cpu % of one core while measuring', ['gateway', 'conversation', 'postgres', 'bench', 'other'].map((g) => `${g} ${r.cpu.byGroup[g] ?? 0}`).join('  ')),
    ...(noise >= 25 ? [line('WARNING', `other work used ~${noise}% of a core while measuring: figures are pessimistic`)] : []),
    line('goal list p95 ≤ 2x raw SQL', `worst ${r.worstRatioP95}x: ${r.goalMet ? 'met' : 'not met'}`),
  ];
}
