import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { IDENTITY_HEADER, type AnalyticsInterval, type CallerIdentity } from '@relaydesk/contracts';
import { signIdentity } from '@relaydesk/service-kit';
import type { Stack, TestEnv } from '@relaydesk/testing';
import { bucketStarts, resolvePeriod } from '../services/tagging-analytics/src/domain/buckets';
import { TaggedMessageRepository, type TaggedMessageFilter } from '../services/tagging-analytics/src/store/tagged-message.repository';
import { Http } from './list-pages';
import { cpuBetween, cpuSnapshot, type CpuUse } from './sampler';
import { intEnv, line, ms, round, summarize, type Summary } from './stats';

/**
 * Tag analytics (issue 7, D25) on 1,000,000 tagged messages spread over a year: ~30 tags drawn with
 * a skew (a few tags carry most counts), several groups, operators and channels, more messages on
 * working days and hours. Written straight into the service's read model with generate_series, then
 * vacuumed, as a running system would be. Then GET /analytics/tags through the service (signed
 * identity, as the gateway calls it) beside the raw SQL of the same aggregate, interleaved, one at
 * a time, for day over a month, week over a quarter, month over a year, and day over a year, as a
 * super_admin and as an analyst of one group.
 */

export type AnalyticsBenchConfig = { messages: number; tags: number; groups: number; operators: number; requests: number; warmup: number };


export const analyticsBenchConfig = (): AnalyticsBenchConfig => ({
  messages: intEnv('BENCH_ANALYTICS_MESSAGES', 1_000_000),
  tags: intEnv('BENCH_ANALYTICS_TAGS', 30),
  groups: intEnv('BENCH_ANALYTICS_GROUPS', 5),
  operators: intEnv('BENCH_ANALYTICS_OPERATORS', 20),
  requests: intEnv('BENCH_ANALYTICS_REQUESTS', 100),
  warmup: intEnv('BENCH_ANALYTICS_WARMUP', 10),
});

const TIME_ZONE = 'Europe/Berlin';
/** A Monday, so that days 0–4 of each week are working days. */
const WEEK_BEFORE_YEAR = '2024-12-30T00:00:00Z';

type Scene = { tags: string[]; groups: string[]; operators: string[] };
export type LoadResult = { messages: number; seconds: number; mb: number };

/**
 * Messages land on a working day 5 times in 6 and between 08:00 and 20:00 UTC 4 times in 5; tag
 * rank r is drawn with probability ∝ ln((r+2)/(r+1)) ≈ 1/(r+1.5), so a few tags carry most counts.
 */
async function loadTaggedMessages(db: Client, scene: Scene, cfg: AnalyticsBenchConfig): Promise<LoadResult> {
  const t0 = performance.now();
  await db.query(`INSERT INTO tag (id, name) SELECT id, 'bench tag ' || rank FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, rank)`, [scene.tags]);
  const chunk = 250_000;
  for (let first = 1; first <= cfg.messages; first += chunk) {
    await db.query(
      `INSERT INTO tagged_message (message_id, tag_id, tag_name, created_at, tagged_at, conversation_id, client_name, channel, group_id, assignee_id, tagged_by, direction, kind, text)
       SELECT gen_random_uuid(), ($1::uuid[])[1 + m.rank], 'bench tag ' || (1 + m.rank), m.created_at, m.created_at + random() * interval '2 days',
              gen_random_uuid(), 'Client ' || (m.i % 50000), ($4::text[])[1 + m.i % 4], ($2::uuid[])[1 + (m.i * 7) % cardinality($2::uuid[])],
              CASE WHEN m.i % 10 = 0 THEN NULL ELSE ($3::uuid[])[1 + (m.i * 13) % cardinality($3::uuid[])] END,
              ($3::uuid[])[1 + (m.i * 17) % cardinality($3::uuid[])], CASE WHEN m.i % 3 = 0 THEN 'out' ELSE 'in' END, 'text', 'bench message ' || m.i
       FROM (
         SELECT i,
                $7::timestamptz
                  + (CASE WHEN random() < 5 / 6.0 THEN floor(random() * 53) * 7 + floor(random() * 5) ELSE floor(random() * 368) END) * interval '1 day'
                  + (CASE WHEN random() < 0.8 THEN 8 + random() * 12 ELSE random() * 24 END) * interval '1 hour' AS created_at,
                floor(exp(random() * ln(cardinality($1::uuid[]) + 1)) - 1)::int AS rank
         FROM generate_series($5::int, $6::int) i
       ) m`,
      [scene.tags, scene.groups, scene.operators, ['whatsapp', 'telegram', 'webchat', 'api'], first, Math.min(cfg.messages, first + chunk - 1), WEEK_BEFORE_YEAR],
    );
  }
  await db.query('VACUUM ANALYZE tagged_message');
  await db.query('VACUUM ANALYZE tag');
  const size = await db.query<{ bytes: string }>(`SELECT pg_total_relation_size('tagged_message') AS bytes`);
  return { messages: cfg.messages, seconds: round((performance.now() - t0) / 1000), mb: round(Number(size.rows[0]!.bytes) / 2 ** 20) };
}

type Case = { name: string; interval: AnalyticsInterval; from: string; to: string; as: CallerIdentity; groupId?: string };

export type AnalyticsCase = {
  name: string;
  query: string;
  buckets: number;
  rowsCounted: number;
  serviceMs: Summary;
  rawSqlMs: Summary;
  ratioP95: number;
  ratioP50: number;
  explain: { executionMs: number; plan: string };
};

async function measureCase(service: Http, db: Client, env: TestEnv, c: Case, cfg: AnalyticsBenchConfig): Promise<AnalyticsCase> {
  const query = new URLSearchParams({ from: c.from, to: c.to, interval: c.interval, tz: TIME_ZONE, ...(c.groupId ? { groupId: c.groupId } : {}) }).toString();
  const path = `/analytics/tags?${query}`;
  const viaService = () => service.get(path, { [IDENTITY_HEADER]: signIdentity(c.as, env.env['INTERNAL_SECRET']!, { method: 'GET', path }) });
  // The SQL the service sends for this caller and query (count-tagged-messages.ts).
  const period = resolvePeriod({ from: c.from, to: c.to, tz: TIME_ZONE });
  const starts = bucketStarts(period, c.interval, TIME_ZONE);
  const filter: TaggedMessageFilter = { ...period, groupIds: c.groupId ? [c.groupId] : c.as.role === 'super_admin' || c.as.groupIds.length === 0 ? undefined : c.as.groupIds };
  const { sql, params } = TaggedMessageRepository.countSql(filter, starts);
  const raw = async () => {
    const t0 = performance.now();
    const result = await db.query<{ count: number }>(sql, params);
    return { rows: result.rows, ms: performance.now() - t0 };
  };

  // The same counts both ways, or the comparison means nothing.
  const first = await viaService();
  if (first.status !== 200) throw new Error(`${c.name}: HTTP ${first.status} ${first.text.slice(0, 300)}`);
  const served = (JSON.parse(first.text) as { totals: { count: number }[] }).totals.reduce((a, t) => a + t.count, 0);
  const counted = (await raw()).rows.reduce((a, r) => a + r.count, 0);
  if (served !== counted || served === 0) throw new Error(`${c.name}: the service counted ${served} messages, the raw SQL ${counted}`);

  for (let i = 0; i < cfg.warmup; i++) {
    await viaService();
    await raw();
  }
  const serviceMs: number[] = [];
  const rawMs: number[] = [];
  // Interleaved, so whatever else the machine does weighs on both alike.
  for (let i = 0; i < cfg.requests; i++) {
    const s = await viaService();
    if (s.status !== 200) throw new Error(`${c.name}: HTTP ${s.status} ${s.text.slice(0, 300)}`);
    serviceMs.push(s.ms);
    rawMs.push((await raw()).ms);
  }
  const explained = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
  const plan = explained.rows.map((r) => r['QUERY PLAN']);
  const service_ = summarize(serviceMs);
  const rawSql = summarize(rawMs);
  return {
    name: c.name,
    query: path,
    buckets: starts.length,
    rowsCounted: counted,
    serviceMs: service_,
    rawSqlMs: rawSql,
    ratioP95: Math.round((service_.p95 / rawSql.p95) * 10) / 10,
    ratioP50: Math.round((service_.p50 / rawSql.p50) * 10) / 10,
    explain: { executionMs: Number(plan.find((l) => l.startsWith('Execution Time'))?.match(/([\d.]+) ms/)?.[1] ?? NaN), plan: plan.join('\n') },
  };
}

export type AnalyticsResult = { config: AnalyticsBenchConfig; load: LoadResult; cases: AnalyticsCase[]; cpu: CpuUse };

export async function runAnalyticsBench(env: TestEnv, stack: Stack, cfg: AnalyticsBenchConfig, log: (s: string) => void): Promise<AnalyticsResult> {
  const db = new Client({ connectionString: env.databaseUrl, options: '-c search_path=analytics' });
  await db.connect();
  const service = new Http(stack.analytics.url);
  try {
    const scene: Scene = {
      tags: Array.from({ length: cfg.tags }, () => randomUUID()),
      groups: Array.from({ length: cfg.groups }, () => randomUUID()),
      operators: Array.from({ length: cfg.operators }, () => randomUUID()),
    };
    log(`analytics bench: loading ${cfg.messages} tagged messages…`);
    const load = await loadTaggedMessages(db, scene, cfg);
    log(`analytics bench: loaded in ${load.seconds} s, ${load.mb} MB with indexes`);

    const admin: CallerIdentity = { operatorId: randomUUID(), role: 'super_admin', permissions: [], groupIds: [] };
    const analyst: CallerIdentity = { operatorId: randomUUID(), role: 'operator', permissions: ['analytics.view'], groupIds: [scene.groups[0]!] };
    const cases: Case[] = [
      { name: 'day over a month', interval: 'day', from: '2025-03-01', to: '2025-04-01', as: admin },
      { name: 'week over a quarter', interval: 'week', from: '2025-04-01', to: '2025-07-01', as: admin },
      { name: 'month over a year', interval: 'month', from: '2025-01-01', to: '2026-01-01', as: admin },
      { name: 'day over a year', interval: 'day', from: '2025-01-01', to: '2026-01-01', as: admin },
      { name: 'week over a quarter, one group', interval: 'week', from: '2025-04-01', to: '2025-07-01', as: analyst },
      { name: 'month over a year, one group', interval: 'month', from: '2025-01-01', to: '2026-01-01', as: analyst },
    ];
    const named = new Map<number, string>([[process.pid, 'bench'], [stack.analytics.process.pid!, 'analytics']]);
    const cpuBefore = cpuSnapshot(named);
    const results: AnalyticsCase[] = [];
    for (const c of cases) results.push(await measureCase(service, db, env, c, cfg));
    return { config: cfg, load, cases: results, cpu: cpuBetween(cpuBefore, cpuSnapshot(named)) };
  } finally {
    service.close();
    await db.end();
  }
}

export function reportAnalytics(r: AnalyticsResult): string[] {
  return [
    line('analytics bench data', `${r.load.messages} tagged messages over a year loaded in ${r.load.seconds} s, ${r.load.mb} MB with indexes`),
    ...r.cases.map(
      (c) =>
        `analytics ${c.name} (${c.buckets} buckets, ${c.rowsCounted} messages): p95 ${ms(c.serviceMs.p95)} via service vs ${ms(c.rawSqlMs.p95)} raw SQL (${c.ratioP95}x)  p50 ${ms(c.serviceMs.p50)} vs ${ms(c.rawSqlMs.p50)}`,
    ),
    line('cpu % of one core while measuring', ['analytics', 'postgres', 'bench', 'other'].map((g) => `${g} ${r.cpu.byGroup[g] ?? 0}`).join('  ')),
  ];
}
