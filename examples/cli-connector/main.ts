import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { RelaydeskBus, type DeliveryReport, type InboundMessage, type OutboundMessage } from './relaydesk-bus';

/**
 * A command-line client of one Relaydesk `api` channel: each line typed becomes a client message
 * (`inbound.api`), each operator reply for this client is printed (`outbound.api`) and reported
 * `delivered` (`delivery.api`). See README.md beside this file and docs/connectors.md.
 */

const MAX_TEXT = 10_000;

type Config = { amqpUrl: string; channelId: string; clientId: string; clientName: string };

function readConfig(): Config {
  const { values } = parseArgs({
    options: { 'amqp-url': { type: 'string' }, 'channel-id': { type: 'string' }, 'client-id': { type: 'string' }, 'client-name': { type: 'string' } },
  });
  const channelId = values['channel-id'] ?? process.env['RELAYDESK_CHANNEL_ID'];
  if (!channelId) throw new Error('Name the api channel: --channel-id <uuid> or RELAYDESK_CHANNEL_ID');
  const clientId = values['client-id'] ?? process.env['RELAYDESK_CLIENT_ID'] ?? userInfo().username;
  return {
    amqpUrl: values['amqp-url'] ?? process.env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672',
    channelId,
    clientId,
    clientName: values['client-name'] ?? process.env['RELAYDESK_CLIENT_NAME'] ?? clientId,
  };
}

function show(message: OutboundMessage): void {
  if (message.text !== undefined) console.log(`operator: ${message.text}`);
  const file = message.attachment;
  if (file) console.log(`operator sent a file: ${file.fileName} (${file.mimeType}, ${file.size} bytes)${file.url ? ` ${file.url}` : ''}`);
}

async function main(): Promise<void> {
  const config = readConfig();
  const bus = await RelaydeskBus.connect(config.amqpUrl, 'cli-connector');
  const clientKey = `${config.channelId}:${config.clientId}`;
  let stopping = false;
  bus.onClose(() => {
    if (stopping) return;
    console.error('the connection to RabbitMQ closed; start me again (unacknowledged replies are redelivered)');
    process.exit(1);
  });

  // A reply redelivered after a lost ack is shown once; a connector that restarts keeps these ids in its own store.
  const shown = new Set<string>();
  await bus.consumeOutbound(`cli-connector.${config.channelId}.${config.clientId}`, 'api', async ({ payload, partitionKey }) => {
    // Every api channel's replies reach every api connector: keep ours, acknowledge the rest.
    if (payload.channelId !== config.channelId || payload.externalClientId !== config.clientId) return;
    if (!shown.has(payload.messageId)) show(payload);
    shown.add(payload.messageId);
    const report: DeliveryReport = { messageId: payload.messageId, status: 'delivered', at: new Date().toISOString() };
    await bus.publish('delivery.api', partitionKey, report);
  });
  console.error(`connected as ${config.clientName} (${config.clientId}) to channel ${config.channelId}: type a message and press Enter`);

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await bus.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    if (line.length > MAX_TEXT) {
      console.error(`not sent: a message holds at most ${MAX_TEXT} characters`);
      continue;
    }
    const message: InboundMessage = {
      channel: 'api',
      channelId: config.channelId,
      externalClientId: config.clientId,
      clientName: config.clientName,
      externalMessageId: randomUUID(),
      sentAt: new Date().toISOString(),
      text: line,
    };
    await bus.publish('inbound.api', clientKey, message);
  }
  await stop();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
