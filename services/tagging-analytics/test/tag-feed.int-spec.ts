import { randomUUID } from 'node:crypto';
import { Bus, peekDeadLetters } from '@relaydesk/bus';
import type { CallerIdentity } from '@relaydesk/contracts';
import { createLogger } from '@relaydesk/service-kit';
import { createTestEnv, HttpClient, startService, waitFor, type RunningService, type TestEnv } from '@relaydesk/testing';
import { makeScene, makeTaggedEvents, tagEvent } from './tagged-data';

/** The feed (idempotent, bad events dead-lettered) and the refusals of bad queries (D25). */
describe('tag analytics feed and bad input', () => {
  let env: TestEnv;
  let service: RunningService;
  let bus: Bus;
  const admin: CallerIdentity = { operatorId: randomUUID(), role: 'super_admin', permissions: [], groupIds: [] };
  const get = (path: string) => HttpClient.as(service.url, admin, env.env['INTERNAL_SECRET']!).get(path);
  const totalOf = async (tagId: string): Promise<number> => {
    const answer = await get('/analytics/tags?from=2024-01-01&to=2024-02-01&interval=month');
    return answer.body.totals.find((t: { tagId: string }) => t.tagId === tagId)?.count ?? 0;
  };

  beforeAll(async () => {
    env = await createTestEnv();
    service = await startService('tagging-analytics', env.env);
    bus = await Bus.connect({ url: env.amqpUrl, logger: createLogger('analytics-feed-test', 'silent') });
  }, 60_000);

  afterAll(async () => {
    await bus?.close();
    await service?.stop();
    await env?.dispose();
  });

  const january = (count: number) => makeTaggedEvents(makeScene(), count, Date.parse('2024-01-02T00:00:00Z'), Date.parse('2024-01-30T00:00:00Z'), []);

  it('D24: a redelivered message.tagged counts once, and so does the same tag put twice on a message', async () => {
    const { events } = january(3);
    const [event] = events;
    const envelope = tagEvent(event!);
    const marker = tagEvent({ ...event!, tag: { id: randomUUID(), name: 'marker' }, messages: [{ ...event!.messages[0]!, id: randomUUID() }] });
    await bus.publish([envelope, envelope, tagEvent({ ...event! }), marker]);
    await waitFor('the marker counted', async () => (await totalOf(marker.payload.tag.id)) === 1);
    expect(await totalOf(event!.tag.id)).toBe(event!.messages.length);
  });

  it('D33: a malformed message.tagged goes to analytics.tags.dlq with its reason; the next good one is applied', async () => {
    const good = tagEvent(january(1).events[0]!);
    const bad = { ...good, id: randomUUID(), payload: { ...good.payload, messages: [] } };
    await bus.publishRaw([{ exchange: 'events', routingKey: 'message.tagged', body: Buffer.from(JSON.stringify(bad)), headers: { 'partition-key': good.payload.conversationId }, messageId: bad.id }]);
    await bus.publish([good]);
    await waitFor('the good event counted', async () => (await totalOf(good.payload.tag.id)) === 1);
    const dead = await waitFor('dead letter', async () => {
      const letters = await peekDeadLetters(bus, 'analytics.tags');
      return letters.length === 1 ? letters : undefined;
    });
    expect(dead[0]?.reason).toMatch(/bad message.tagged payload/);
  });

  it.each([
    ['from ≥ to', '/analytics/tags?from=2026-03-02&to=2026-03-01', /from must be before to/],
    ['ten years by day', '/analytics/tags?from=2016-01-01&to=2026-01-01&interval=day', /more than 1000 day buckets.*interval=week or month/],
    ['an unknown time zone', '/analytics/tags?from=2026-03-01&to=2026-03-02&tz=Mars/Olympus_Mons', /tz: must be an IANA time zone/],
    ['an unknown interval', '/analytics/tags?from=2026-03-01&to=2026-03-02&interval=hour', /interval/],
    ['an unknown parameter', '/analytics/tags?from=2026-03-01&to=2026-03-02&tag=x', /unknown field\(s\): tag/],
    ['a bad group uuid', '/analytics/tags?from=2026-03-01&to=2026-03-02&groupId=42', /groupId: must be a UUID/],
    ['a bad operator uuid', '/analytics/tags?from=2026-03-01&to=2026-03-02&operatorId=x', /operatorId: must be a UUID/],
    ['a bad date', '/analytics/tags?from=2026-02-30&to=2026-03-02', /from/],
    ['no period', '/analytics/tags', /from.*to/],
    ['a repeated parameter', '/analytics/tags?from=2026-03-01&from=2026-03-01&to=2026-03-02', /from/],
    ['a bad tag id', '/analytics/tags/not-a-tag/messages?from=2026-03-01&to=2026-03-02', /tagId/],
    ['a messages limit over 100', `/analytics/tags/${randomUUID()}/messages?from=2026-03-01&to=2026-03-02&limit=1000`, /limit/],
    ['a cursor that is not one', `/analytics/tags/${randomUUID()}/messages?from=2026-03-01&to=2026-03-02&cursor=garbage`, /cursor/],
  ])('D25: %s → 400 with a clear message', async (_what, path, message) => {
    const answer = await get(path);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('validation_failed');
    expect(answer.body.error.message).toMatch(message);
  });

  it('D25: a tag never counted here gives an empty page, not an error', async () => {
    const answer = await get(`/analytics/tags/${randomUUID()}/messages?from=2026-03-01&to=2026-03-02`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ items: [], nextCursor: null });
  });
});
