import { Bus, peekDeadLetters } from '@relaydesk/bus';
import { createLogger } from '@relaydesk/service-kit';
import { rabbitAdminGet, type TestEnv } from '@relaydesk/testing';

/** Every consumer of the test's vhost that has a DLQ, with up to 10 of its dead letters (reason and body). */
export async function deadLettersOf(env: TestEnv): Promise<Record<string, string[]>> {
  const queues = (await rabbitAdminGet(`/api/queues/${encodeURIComponent(env.name)}?columns=name`)) as { name: string }[];
  const consumers = queues.filter((q) => q.name.endsWith('.dlq')).map((q) => q.name.slice(0, -'.dlq'.length));
  const bus = await Bus.connect({ url: env.amqpUrl, logger: createLogger('dead-letters', 'silent') });
  try {
    const letters: Record<string, string[]> = {};
    for (const consumer of consumers.sort()) letters[consumer] = (await peekDeadLetters(bus, consumer, 10)).map((l) => `${l.reason.slice(0, 200)} ${l.body.slice(0, 200)}`);
    return letters;
  } finally {
    await bus.close();
  }
}
