import { createLogger } from '@relaydesk/service-kit';
import { Bus } from '../bus';
import { replayDeadLetters } from '../dlq';

/** npm run dlq:replay -- <consumer> [limit]   e.g. npm run dlq:replay -- conversation.inbound */
async function main(): Promise<void> {
  const [consumer, limit] = process.argv.slice(2);
  if (!consumer) {
    console.error('usage: npm run dlq:replay -- <consumer> [limit]');
    process.exit(2);
  }
  const bus = await Bus.connect({ url: process.env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672', logger: createLogger('dlq-replay', 'warn') });
  const { replayed } = await replayDeadLetters(bus, consumer, limit ? Number(limit) : undefined);
  console.log(`replayed ${replayed} message(s) from ${consumer}.dlq`);
  await bus.close();
}

void main();
