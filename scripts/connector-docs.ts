import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { REASON_HEADER, headersOf, makeEnvelope, parseMessage, partitionQueue } from '@relaydesk/bus';
import { clientKey, createChannelBody, deliveryReport, inboundMessage, outboundMessage, uuid, type DeliveryReport, type InboundMessage, type OutboundMessage } from '@relaydesk/contracts';

/**
 * Writes the JSON examples of docs/connectors.md from the zod schemas of libs/contracts, each one
 * checked before it is written: `npm run docs:connectors`. test/connector-docs.spec.ts fails when
 * the document differs from what this script would write.
 */

export const connectorDocPath = path.join(__dirname, '..', 'docs', 'connectors.md');

type Check = (value: unknown) => string | undefined;
export type Example = { value: unknown; check: Check };

const bySchema =
  (schema: z.ZodType): Check =>
  (value) => {
    const result = schema.safeParse(value);
    return result.success ? undefined : z.prettifyError(result.error);
  };

/** What every Relaydesk consumer does with the bytes it receives. */
const asBusMessage: Check = (value) => {
  const parsed = parseMessage(Buffer.from(JSON.stringify(value)));
  return parsed.ok ? undefined : parsed.reason;
};

const rejectedBy =
  (reason: string): Check =>
  (value) => {
    const parsed = parseMessage(Buffer.from(JSON.stringify(value)));
    if (parsed.ok) return 'is valid, but stands for an invalid message';
    return parsed.reason === reason ? undefined : `is refused for "${parsed.reason}", not for "${reason}"`;
  };

// The properties Bus.publish (libs/bus/src/bus.ts) sets on every message; amqplib's `persistent: true` is deliveryMode 2.
const amqpProperties = z.strictObject({
  contentType: z.literal('application/json'),
  deliveryMode: z.literal(2),
  messageId: uuid,
  type: z.string(),
  timestamp: z.number().int().positive(),
  headers: z.strictObject({ 'partition-key': z.string().min(1), traceparent: z.string().optional(), tracestate: z.string().optional() }),
});

const deadLetterHeaders = z.looseObject({
  [REASON_HEADER]: z.string().min(1),
  'x-failed-queue': z.string().min(1),
  'x-failed-at': z.iso.datetime(),
});

const channelId = '0193a1f2-7c4e-7b8a-9d10-4c2e8f6a1b3d';
const groupId = '0193a1f0-22b5-7e61-8a4f-0f9d3c7e5a21';
const operatorMessageId = '0193a2c4-1d7e-7f30-b2a9-6e5d4c3b2a10';
const at = (seconds: number): Date => new Date(Date.UTC(2026, 10, 25, 9, 30, seconds));
const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

const inboundText: InboundMessage = {
  channel: 'api',
  channelId,
  externalClientId: 'customer-4711',
  clientName: 'Zoë Müller',
  phone: '+4915112345678',
  externalMessageId: 'msg-000123',
  sentAt: at(0).toISOString(),
  text: 'Hallo! Where is my order? 📦',
};

const inboundFile: InboundMessage = {
  channel: 'api',
  channelId,
  externalClientId: 'customer-4711',
  clientName: 'Zoë Müller',
  externalMessageId: 'msg-000124',
  sentAt: at(5).toISOString(),
  text: 'The invoice',
  attachment: { url: 'https://files.example.com/4711/invoice-2026-11.pdf', fileName: 'invoice-2026-11.pdf', mimeType: 'application/pdf', size: 48213 },
};

const inboundEnvelope = makeEnvelope('inbound.api', inboundText, {
  id: '0193a2b0-5e1f-7a42-8c3d-2b1a0f9e8d7c',
  source: 'my-connector',
  partitionKey: clientKey(inboundText),
  occurredAt: at(1),
});

const outbound: OutboundMessage = { messageId: operatorMessageId, channel: 'api', channelId, externalClientId: 'customer-4711', text: 'It left our warehouse today 🚚' };
const outboundEnvelope = makeEnvelope('outbound.api', outbound, {
  id: '0193a2c4-1e02-7c55-a0b1-9f8e7d6c5b4a',
  source: 'conversation',
  partitionKey: clientKey(outbound),
  occurredAt: at(40),
});
const outboundFile: OutboundMessage = {
  messageId: '0193a2c6-0b3c-7d21-9e8f-1a2b3c4d5e6f',
  channel: 'api',
  channelId,
  externalClientId: 'customer-4711',
  attachment: { storageKey: '2026/11/25/0193a2c5-f0e1-7a2b-8c3d-4e5f6a7b8c9d', fileName: 'return-label.pdf', mimeType: 'application/pdf', size: 20480 },
};

const delivered: DeliveryReport = { messageId: operatorMessageId, status: 'delivered', at: at(42).toISOString() };
const deliveryEnvelope = makeEnvelope('delivery.api', delivered, {
  id: '0193a2c4-2a9b-7e10-8f7a-6b5c4d3e2f1a',
  source: 'my-connector',
  partitionKey: outboundEnvelope.partitionKey,
  occurredAt: at(42),
});
const failed: DeliveryReport = { messageId: operatorMessageId, status: 'failed', at: at(43).toISOString(), error: { code: 'recipient_blocked', title: 'The client blocked this account' } };

// A typo in a field name: refused as a whole, never half-read (ADR 6).
const { text: _text, ...withoutText } = inboundText;
const invalidInbound = { ...inboundEnvelope, id: '0193a2b1-0c2d-7e3f-9a4b-5c6d7e8f9a0b', payload: { ...withoutText, txt: 'Hallo?' } };
const invalidReason = (() => {
  const parsed = parseMessage(Buffer.from(JSON.stringify(invalidInbound)));
  if (parsed.ok) throw new Error('the invalid example parses');
  return parsed.reason;
})();

export function connectorExamples(): Record<string, Example> {
  return {
    'create-channel': {
      value: { type: 'api', name: 'Shop app', groupId, settings: { apiKey: 'k3y-0f-at-least-24-characters' } },
      check: bySchema(createChannelBody),
    },
    'inbound-text': { value: inboundText, check: bySchema(inboundMessage) },
    'inbound-attachment': { value: inboundFile, check: bySchema(inboundMessage) },
    'inbound-envelope': { value: inboundEnvelope, check: asBusMessage },
    'inbound-properties': {
      value: {
        contentType: 'application/json',
        deliveryMode: 2,
        messageId: inboundEnvelope.id,
        type: inboundEnvelope.type,
        timestamp: Math.floor(at(1).getTime() / 1000),
        headers: { ...headersOf(inboundEnvelope), traceparent },
      },
      check: bySchema(amqpProperties),
    },
    'outbound-envelope': { value: outboundEnvelope, check: asBusMessage },
    'outbound-attachment': { value: outboundFile, check: bySchema(outboundMessage) },
    'delivery-envelope': { value: deliveryEnvelope, check: asBusMessage },
    'delivery-failed': { value: failed, check: bySchema(deliveryReport) },
    'invalid-inbound': { value: invalidInbound, check: rejectedBy(invalidReason) },
    'dead-letter-headers': {
      value: {
        ...headersOf(invalidInbound),
        [REASON_HEADER]: invalidReason,
        'x-failed-queue': partitionQueue('routing.inbound', 0),
        'x-failed-at': at(2).toISOString(),
      },
      check: bySchema(deadLetterHeaders),
    },
  };
}

export const exampleBlock = /<!-- generated: ([a-z-]+) -->\n([\s\S]*?)<!-- end generated -->/g;
export const jsonOf = (block: string): string | undefined => /```json\n([\s\S]*?)\n```/.exec(block)?.[1];

/** The document with every example block written anew; throws on an invalid example or a missing or unknown block. */
export function renderConnectorDocs(doc: string): string {
  const examples = connectorExamples();
  for (const [name, { value, check }] of Object.entries(examples)) {
    const problem = check(value);
    if (problem) throw new Error(`example ${name} ${problem}`);
  }
  const written = new Set<string>();
  const rendered = doc.replace(exampleBlock, (_block, name: string) => {
    const example = examples[name];
    if (!example) throw new Error(`docs/connectors.md has a block "${name}" that no example fills`);
    written.add(name);
    return `<!-- generated: ${name} -->\n\`\`\`json\n${JSON.stringify(example.value, null, 2)}\n\`\`\`\n<!-- end generated -->`;
  });
  const missing = Object.keys(examples).filter((name) => !written.has(name));
  if (missing.length > 0) throw new Error(`docs/connectors.md lacks the blocks ${missing.join(', ')}`);
  return rendered;
}

if (require.main === module) {
  writeFileSync(connectorDocPath, renderConnectorDocs(readFileSync(connectorDocPath, 'utf8')));
  console.log(`wrote the examples of ${path.relative(process.cwd(), connectorDocPath)}`);
}
