import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Bus } from '@relaydesk/bus';
import type { CallerIdentity, TagSeriesView } from '@relaydesk/contracts';
import { createLogger } from '@relaydesk/service-kit';
import { createTestEnv, HttpClient, startService, waitFor, type RunningService, type TestEnv } from '@relaydesk/testing';
import { bruteForce, makeScene, makeTaggedEvents, tagEvent, type Tagged } from './tagged-data';

type Answer = TagSeriesView & { from: string; to: string; interval: string; tz: string; error?: { code: string; message: string } };
type Interval = 'day' | 'week' | 'month';

/**
 * D25 end to end: `message.tagged` on the real bus into the service's own process, counted over
 * HTTP with a signed identity, against a brute-force count in plain TypeScript.
 */
describe('tag analytics', () => {
  let env: TestEnv;
  let service: RunningService;
  let bus: Bus;
  let db: Client;
  const scene = makeScene();
  // 2025-10-01 … 2026-04-15 holds both clock changes of Berlin (10-26, 03-29) and New York (11-02, 03-08).
  const fromDate = '2025-10-01';
  const toDate = '2026-04-15';
  const clockChanges = ['2025-10-26T01:00:00Z', '2025-11-02T06:00:00Z', '2026-03-08T07:00:00Z', '2026-03-29T01:00:00Z'].map(Date.parse);
  const { events, rows } = makeTaggedEvents(scene, 10_000, Date.parse('2025-09-30T12:00:00Z'), Date.parse('2026-04-15T12:00:00Z'), clockChanges);
  const admin: CallerIdentity = { operatorId: randomUUID(), role: 'super_admin', permissions: [], groupIds: [] };
  const as = (caller: CallerIdentity) => HttpClient.as(service.url, caller, env.env['INTERNAL_SECRET']!);
  const counts = (caller: CallerIdentity, query: Record<string, string>) => as(caller).get<Answer>(`/analytics/tags?${new URLSearchParams(query).toString()}`);

  beforeAll(async () => {
    env = await createTestEnv();
    service = await startService('tagging-analytics', env.env);
    bus = await Bus.connect({ url: env.amqpUrl, logger: createLogger('analytics-test', 'silent') });
    db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
    for (let i = 0; i < events.length; i += 500) await bus.publish(events.slice(i, i + 500).map(tagEvent));
    await waitFor('every tagged message stored', async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM analytics.tagged_message')).rows[0]!.n === rows.length, { timeoutMs: 60_000, intervalMs: 200 });
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await bus?.close();
    await service?.stop();
    await env?.dispose();
  });

  /** The answer's points, keyed as the brute force keys them, must equal it; and the series order and totals must hold. */
  function expectBruteForce(answer: Answer, expectedRows: Tagged[], q: { tz: string; interval: Interval; fromDate?: string; toDate?: string }): void {
    const expected = bruteForce(expectedRows, { fromDate, toDate, ...q });
    const keyLength = q.interval === 'month' ? 7 : 10;
    const bucketKeys = answer.series[0]?.points.map((p) => p.at.slice(0, keyLength)) ?? [];
    for (const s of answer.series) {
      const perTag = expected.get(s.tagId) ?? new Map<string, number>();
      expect(s.points.map((p) => p.at.slice(0, keyLength))).toEqual(bucketKeys);
      expect(Object.fromEntries(s.points.filter((p) => p.count > 0).map((p) => [p.at.slice(0, keyLength), p.count]))).toEqual(Object.fromEntries(perTag));
    }
    const expectedTotals = [...expected.entries()].map(([tagId, perTag]) => ({ tagId, count: [...perTag.values()].reduce((a, b) => a + b, 0) }));
    expect(answer.series.map((s) => s.tagId).sort()).toEqual(expectedTotals.map((t) => t.tagId).sort());
    expect(answer.totals.map(({ tagId, count }) => ({ tagId, count })).sort((a, b) => a.tagId.localeCompare(b.tagId))).toEqual(expectedTotals.sort((a, b) => a.tagId.localeCompare(b.tagId)));
    const totals = answer.totals.map((t) => t.count);
    expect(totals).toEqual([...totals].sort((a, b) => b - a));
    expect(answer.series.map((s) => s.tagId)).toEqual(answer.totals.map((t) => t.tagId));
  }

  for (const tz of ['Europe/Berlin', 'America/New_York']) {
    for (const interval of ['day', 'week', 'month'] as const) {
      it(`D25: 10,000 tagged messages across clock changes, by ${interval} in ${tz}, equal a brute-force count`, async () => {
        const answer = await counts(admin, { from: fromDate, to: toDate, interval, tz });
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({ interval, tz });
        expectBruteForce(answer.body, rows, { tz, interval });
        expect(answer.body.totals.reduce((a, t) => a + t.count, 0)).toBe(rows.filter((r) => bruteForce([r], { fromDate, toDate, tz, interval }).size > 0).length);
      });
    }
  }

  it('D25: bucket starts are local midnights with that day’s offset, zero-filled, the period resolved in the zone', async () => {
    const berlin = await counts(admin, { from: '2026-03-28', to: '2026-03-31', interval: 'day', tz: 'Europe/Berlin' });
    expect(berlin.body).toMatchObject({ from: '2026-03-28T00:00:00+01:00', to: '2026-03-31T00:00:00+02:00' });
    expect(berlin.body.series[0]!.points.map((p) => p.at)).toEqual(['2026-03-28T00:00:00+01:00', '2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00']);
    const newYork = await counts(admin, { from: '2025-10-27', to: '2025-11-10', interval: 'week', tz: 'America/New_York' });
    expect(newYork.body.series[0]!.points.map((p) => p.at)).toEqual(['2025-10-27T00:00:00-04:00', '2025-11-03T00:00:00-05:00']);
    const quiet = await counts(admin, { from: '2020-01-01', to: '2020-02-01', interval: 'week', tz: 'UTC' });
    expect(quiet.body).toMatchObject({ series: [], totals: [] });
  });

  it('D25: ISO times as bounds count from the instant, to exclusive', async () => {
    const [from, to] = ['2026-03-07T22:30:00-05:00', '2026-03-29T02:30:00+02:00'];
    const answer = await counts(admin, { from, to, interval: 'week', tz: 'America/New_York' });
    const inside = rows.filter((r) => Date.parse(r.createdAt) >= Date.parse(from) && Date.parse(r.createdAt) < Date.parse(to));
    expect(answer.body.totals.reduce((a, t) => a + t.count, 0)).toBe(inside.length);
    expect(answer.body.series[0]!.points[0]!.at).toBe('2026-03-02T00:00:00-05:00');
  });

  it('D25: filters by group, operator (the assignee when tagged) and channel equal the brute force', async () => {
    const [g1] = scene.groups;
    const [op1] = scene.operators;
    const cases: [Record<string, string>, (r: Tagged) => boolean][] = [
      [{ groupId: g1! }, (r) => r.groupId === g1],
      [{ operatorId: op1! }, (r) => r.assigneeId === op1],
      [{ channel: 'telegram' }, (r) => r.channel === 'telegram'],
      [{ groupId: g1!, operatorId: op1!, channel: 'whatsapp' }, (r) => r.groupId === g1 && r.assigneeId === op1 && r.channel === 'whatsapp'],
    ];
    for (const [filter, keep] of cases) {
      const answer = await counts(admin, { from: fromDate, to: toDate, interval: 'day', tz: 'Europe/Berlin', ...filter });
      expect(answer.status).toBe(200);
      expectBruteForce(answer.body, rows.filter(keep), { tz: 'Europe/Berlin', interval: 'day' });
    }
  });

  it('D3: an analyst in groups counts his groups only, may narrow to one, and gets 403 for another; in no group he sees all', async () => {
    const [g1, g2, g3] = scene.groups;
    const analyst: CallerIdentity = { operatorId: randomUUID(), role: 'operator', permissions: ['analytics.view'], groupIds: [g1!, g2!] };
    const query = { from: fromDate, to: toDate, interval: 'month', tz: 'America/New_York' };
    expectBruteForce((await counts(analyst, query)).body, rows.filter((r) => r.groupId === g1 || r.groupId === g2), { tz: query.tz, interval: 'month' });
    expectBruteForce((await counts(analyst, { ...query, groupId: g2! })).body, rows.filter((r) => r.groupId === g2), { tz: query.tz, interval: 'month' });
    const outside = await counts(analyst, { ...query, groupId: g3! });
    expect(outside.status).toBe(403);
    expect(outside.body.error?.message).toMatch(/your own groups/);
    expectBruteForce((await counts({ ...analyst, groupIds: [] }, query)).body, rows, { tz: query.tz, interval: 'month' });

    const page = await as(analyst).get(`/analytics/tags/${scene.tags[0]!.id}/messages?from=${fromDate}&to=${toDate}&limit=100`);
    expect(page.body.items.length).toBeGreaterThan(0);
    expect(page.body.items.every((m: { groupId: string }) => m.groupId === g1 || m.groupId === g2)).toBe(true);
  });

  it('D25: without analytics.view (and not super_admin) both endpoints answer 403 with a clear message', async () => {
    const manager: CallerIdentity = { operatorId: randomUUID(), role: 'operator', permissions: ['conversations.manage', 'conversations.view_all'], groupIds: [] };
    const series = await counts(manager, { from: fromDate, to: toDate });
    expect(series.status).toBe(403);
    expect(series.body.error).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/analytics\.view/) });
    expect((await as(manager).get(`/analytics/tags/${scene.tags[0]!.id}/messages?from=${fromDate}&to=${toDate}`)).status).toBe(403);
    expect((await new HttpClient(service.url).get(`/analytics/tags?from=${fromDate}&to=${toDate}`)).status).toBe(401);
  });

  it('D25: Accept text/csv gives one row per tag and bucket, quoted, formula-safe, equal to the JSON', async () => {
    const query = new URLSearchParams({ from: '2026-03-01', to: '2026-04-01', interval: 'week', tz: 'Europe/Berlin' }).toString();
    const json = (await counts(admin, Object.fromEntries(new URLSearchParams(query)))).body;
    const csv = await as(admin).with({ accept: 'text/csv' }).get<string>(`/analytics/tags?${query}`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = csv.body.split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines[0]).toBe('bucket_start,tag_id,tag_name,count');
    expect(lines).toHaveLength(1 + json.series.length * json.series[0]!.points.length);
    const formula = scene.tags.find((t) => t.name.startsWith('='))!;
    expect(lines).toContain(`${json.series.find((s) => s.tagId === formula.id)!.points[0]!.at},${formula.id},"'=HYPERLINK(""http://x"")",${json.series.find((s) => s.tagId === formula.id)!.points[0]!.count}`);
    const comma = scene.tags.find((t) => t.name.includes(','))!;
    expect(lines.some((l) => l.includes(`,${comma.id},"late delivery, again",`))).toBe(true);
    expect(lines.some((l) => l.includes(",'-minus,"))).toBe(true);
    const summed = lines.slice(1).reduce((a, l) => a + Number(l.slice(l.lastIndexOf(',') + 1)), 0);
    expect(summed).toBe(json.totals.reduce((a, t) => a + t.count, 0));
  });

  it('D25: the messages behind a count, newest first, paged to the end without duplicates or gaps', async () => {
    const tag = scene.tags[1]!;
    const [g1] = scene.groups;
    const expected = rows
      .filter((r) => r.tagId === tag.id && r.groupId === g1 && r.createdAt >= '2025-12-01T00:00:00.000Z' && r.createdAt < '2026-03-01T00:00:00.000Z')
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.messageId.localeCompare(a.messageId));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { status: number; body: { items: { messageId: string }[]; nextCursor: string | null } } = await as(admin).get(
        `/analytics/tags/${tag.id}/messages?${new URLSearchParams({ from: '2025-12-01', to: '2026-03-01', groupId: g1!, limit: '17', ...(cursor ? { cursor } : {}) }).toString()}`,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((m) => m.messageId));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    expect(expected.length).toBeGreaterThan(50);
    expect(pages).toBe(Math.ceil(expected.length / 17));
    expect(seen).toEqual(expected.map((r) => r.messageId));

    const first = await as(admin).get(`/analytics/tags/${tag.id}/messages?from=2025-12-01&to=2026-03-01&groupId=${g1}&limit=1`);
    const event = events.find((e) => e.tag.id === tag.id && e.messages.some((m) => m.id === first.body.items[0].messageId))!;
    const message = event.messages.find((m) => m.id === first.body.items[0].messageId)!;
    expect(first.body.items[0]).toEqual({
      messageId: message.id,
      tagId: tag.id,
      conversationId: event.conversationId,
      link: `/api/v1/conversations/${event.conversationId}`,
      text: message.text,
      direction: message.direction,
      kind: message.kind,
      createdAt: message.createdAt,
      taggedAt: event.taggedAt,
      clientName: event.clientName,
      channel: event.channel,
      groupId: event.groupId,
      assigneeId: event.assigneeId,
      taggedBy: event.taggedBy,
    });
    const otherList = await as(admin).get(`/analytics/tags/${scene.tags[2]!.id}/messages?from=2025-12-01&to=2026-03-01&groupId=${g1}&cursor=${first.body.nextCursor}`);
    expect(otherList.status).toBe(400);
    expect(otherList.body.error.message).toMatch(/cursor/);
    const otherPeriod = await as(admin).get(`/analytics/tags/${tag.id}/messages?from=2025-12-02&to=2026-03-01&groupId=${g1}&cursor=${first.body.nextCursor}`);
    expect(otherPeriod.status).toBe(400);
  });
});
