import { randomUUID } from 'node:crypto';
import { makeEnvelope, type MessageOf } from '@relaydesk/bus';
import type { ChannelType, MessageTagged } from '@relaydesk/contracts';

/** A deterministic random source, so a failing run can be replayed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One (message, tag) as the test expects the service to count it. */
export type Tagged = { messageId: string; tagId: string; tagName: string; createdAt: string; groupId: string; assigneeId: string | null; channel: ChannelType };

export type Scene = { tags: { id: string; name: string }[]; groups: string[]; operators: string[]; channels: ChannelType[] };

export function makeScene(): Scene {
  const names = ['billing', 'complaint', 'late delivery, again', 'say "refund"', '=HYPERLINK("http://x")', 'praise', '-minus', 'Ünïcødé 😊'];
  return {
    tags: names.map((name) => ({ id: randomUUID(), name })),
    groups: [randomUUID(), randomUUID(), randomUUID()],
    operators: [randomUUID(), randomUUID(), randomUUID(), randomUUID()],
    channels: ['whatsapp', 'telegram', 'webchat', 'api'],
  };
}

export const tagEvent = (payload: MessageTagged): MessageOf<'message.tagged'> =>
  makeEnvelope('message.tagged', payload, { source: 'conversation', partitionKey: payload.conversationId });

/**
 * `count` tagged messages in events of 1–5 messages of one conversation, at random times in
 * [fromMs, toMs), a fifth of them within two days of `hotSpots` (clock changes); about one in ten
 * events tags messages of an earlier event with another tag.
 */
export function makeTaggedEvents(scene: Scene, count: number, fromMs: number, toMs: number, hotSpots: number[], random = seeded(7)): { events: MessageTagged[]; rows: Tagged[] } {
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)]!;
  const timeAt = (): string => {
    const near = hotSpots.length > 0 && random() < 0.2 ? pick(hotSpots) + (random() - 0.5) * 4 * 86_400_000 : fromMs + random() * (toMs - fromMs);
    return new Date(Math.floor(Math.min(toMs - 1, Math.max(fromMs, near)))).toISOString();
  };
  const events: MessageTagged[] = [];
  const rows: Tagged[] = [];
  const seen = new Set<string>();
  while (rows.length < count) {
    const earlier = events.length > 10 && random() < 0.1 ? pick(events) : undefined;
    const tag = pick(scene.tags);
    const base: MessageTagged = earlier ?? {
      tag,
      conversationId: randomUUID(),
      clientId: randomUUID(),
      clientName: `Client ${events.length}`,
      channel: pick(scene.channels),
      groupId: pick(scene.groups),
      assigneeId: random() < 0.15 ? null : pick(scene.operators),
      taggedBy: pick(scene.operators),
      taggedAt: new Date(toMs).toISOString(),
      messages: Array.from({ length: 1 + Math.floor(random() * 5) }, () => ({
        id: randomUUID(),
        createdAt: timeAt(),
        direction: random() < 0.6 ? ('in' as const) : ('out' as const),
        kind: 'text' as const,
        text: `text ${random().toString(36).slice(2)}`,
      })),
    };
    const messages = base.messages.filter((m) => !seen.has(`${m.id}|${tag.id}`)).slice(0, count - rows.length);
    if (messages.length === 0) continue;
    const event = { ...base, tag, messages };
    events.push(event);
    for (const m of messages) {
      seen.add(`${m.id}|${tag.id}`);
      rows.push({ messageId: m.id, tagId: tag.id, tagName: tag.name, createdAt: m.createdAt, groupId: event.groupId, assigneeId: event.assigneeId, channel: event.channel });
    }
  }
  return { events, rows };
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** The local calendar date of an instant in a zone, YYYY-MM-DD, read straight from Intl. */
export function localDate(iso: string, timeZone: string): string {
  let format = dateFormats.get(timeZone);
  if (!format) dateFormats.set(timeZone, (format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return format.format(new Date(iso));
}

/** The bucket a local date falls in: the date, the Monday of its week, or its month (YYYY-MM). */
export function bucketKey(date: string, interval: 'day' | 'week' | 'month'): string {
  if (interval === 'day') return date;
  if (interval === 'month') return date.slice(0, 7);
  const noon = new Date(`${date}T12:00:00Z`);
  noon.setUTCDate(noon.getUTCDate() - ((noon.getUTCDay() + 6) % 7));
  return noon.toISOString().slice(0, 10);
}

/** Brute force: per tag, per bucket key, the rows whose local date lies in [fromDate, toDate). */
export function bruteForce(rows: Tagged[], q: { fromDate: string; toDate: string; tz: string; interval: 'day' | 'week' | 'month' }): Map<string, Map<string, number>> {
  const counts = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const date = localDate(r.createdAt, q.tz);
    if (date < q.fromDate || date >= q.toDate) continue;
    const perTag = counts.get(r.tagId) ?? new Map<string, number>();
    counts.set(r.tagId, perTag);
    const key = bucketKey(date, q.interval);
    perTag.set(key, (perTag.get(key) ?? 0) + 1);
  }
  return counts;
}

