import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import amqp from 'amqplib';
import { signWhatsappWebhook, whatsappWebhookBody, Workspace, type Stack, type TestEnv } from '@relaydesk/testing';
import { atRate, post, type AtRate } from './paced-requests';
import { line, ms, ratio, type Summary } from './stats';

export type WebhookConfig = { rates: number[]; seconds: number; clients: number };

export type WebhookResult = { rate: number; sent: number; failed: number; accept: Summary; floor: Summary; p99VsFloor: number };

const appSecret = 'bench-app-secret';
const phoneNumberId = '100200300400';

/**
 * WhatsApp webhook accept latency at a steady rate (signature check, parse, confirmed publish), beside
 * the floor of any accept: a bare HTTP server that publishes one confirmed message per request to a
 * durable quorum queue.
 */
export async function runWebhookBench(stack: Stack, env: TestEnv, config: WebhookConfig): Promise<WebhookResult[]> {
  const workspace = await Workspace.open(stack);
  const group = await workspace.group('Webhook bench');
  const created = await workspace.admin.post('/api/v1/channels', {
    type: 'whatsapp',
    name: 'Webhook bench',
    groupId: group,
    settings: { phoneNumberId, accessToken: 'bench-access-token', appSecret, verifyToken: 'bench-verify-token' },
  });
  if (created.status !== 201) throw new Error(`creating the bench channel: ${created.status} ${JSON.stringify(created.body)}`);
  const url = new URL(`${stack.ingestion.url}/ingest/v1/whatsapp/${created.body.id as string}`);
  const signed = (n: number) =>
    signWhatsappWebhook(whatsappWebhookBody(phoneNumberId, { messages: [{ from: String(4915100000000 + (n % config.clients)), id: `wamid.bench.${Date.now()}.${n}`, type: 'text', text: { body: `webhook ${n} 👋` } }] }), appSecret);
  const results: WebhookResult[] = [];
  let sent = 0;
  for (const rate of config.rates) {
    const pace = { rate, seconds: config.seconds };
    const accept = await atRate(pace, (n) => {
      const { bytes, signature } = signed(sent + n);
      return post(url, bytes, { 'x-hub-signature-256': signature });
    });
    sent += rate * config.seconds;
    const floor = await measureFloor(env, pace);
    results.push({ rate, sent: rate * config.seconds, failed: accept.failed, accept: accept.latency, floor: floor.latency, p99VsFloor: ratio(accept.latency.p99, floor.latency.p99) });
    await sleep(5_000); // let the pipeline drain what this rate left, so the next starts from quiet
  }
  return results;
}

/** A bare Node HTTP server that answers each POST once one confirmed publish of its body is done. */
async function measureFloor(env: TestEnv, pace: AtRate): Promise<{ latency: Summary }> {
  const connection = await amqp.connect(env.amqpUrl);
  const channel = await connection.createConfirmChannel();
  // Durable and quorum, as every queue an inbound message lands in: its confirm waits for the replicated write.
  const queue = `bench-webhook-floor-${process.pid}`;
  await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => channel.sendToQueue(queue, Buffer.concat(chunks), { persistent: true }, (error) => res.writeHead(error ? 503 : 200).end()));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const body = signWhatsappWebhook(whatsappWebhookBody(phoneNumberId, { messages: [{ from: '4915100000000', id: 'wamid.floor', type: 'text', text: { body: 'floor 👋' } }] }), appSecret);
    return { latency: (await atRate(pace, () => post(url, body.bytes, { 'x-hub-signature-256': body.signature }))).latency };
  } finally {
    server.closeAllConnections();
    server.close();
    await channel.deleteQueue(queue).catch(() => undefined);
    await connection.close().catch(() => undefined);
  }
}

export function reportWebhook(results: WebhookResult[]): string[] {
  return results.flatMap((r) => [
    line(`whatsapp webhook accepted, ${r.rate} req/s`, `p50 ${ms(r.accept.p50)}`, `p99 ${ms(r.accept.p99)}`, `(${r.accept.count} answered 200, ${r.failed} failed)`),
    line('  floor: HTTP + confirmed quorum publish', `p50 ${ms(r.floor.p50)}`, `p99 ${ms(r.floor.p99)}`, `accept p99 = ${r.p99VsFloor}x the floor`),
  ]);
}
