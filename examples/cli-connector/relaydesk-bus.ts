import { randomUUID } from 'node:crypto';
import amqp, { type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';

// The wire format of docs/connectors.md, written out by hand as a third party would: no Relaydesk code.

export type Attachment = { url?: string; storageKey?: string; fileName: string; mimeType: string; size: number };

export type InboundMessage = {
  channel: 'api';
  channelId: string;
  externalClientId: string;
  clientName: string;
  externalMessageId: string;
  sentAt: string;
  text?: string;
  attachment?: Attachment;
};

export type OutboundMessage = { messageId: string; channel: string; channelId: string; externalClientId: string; text?: string; attachment?: Attachment };

export type DeliveryReport = {
  messageId: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  at: string;
  error?: { code: string; title: string };
};

export type Envelope<P> = { id: string; type: string; version: 1; occurredAt: string; source: string; partitionKey: string; traceparent?: string; payload: P };

const EXCHANGE = 'channels';

/** One AMQP connection to Relaydesk's `channels` exchange: confirmed publishes, one queue of outbound messages. */
export class RelaydeskBus {
  private handling: Promise<void> = Promise.resolve();

  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: ConfirmChannel,
    private readonly source: string,
  ) {}

  static async connect(url: string, source: string): Promise<RelaydeskBus> {
    const connection = await amqp.connect(url);
    const channel = await connection.createConfirmChannel();
    await channel.assertExchange(EXCHANGE, 'topic', { durable: true });
    return new RelaydeskBus(connection, channel, source);
  }

  onClose(listener: (error?: Error) => void): void {
    this.connection.on('close', listener);
  }

  /** Resolves once the broker has confirmed the message; `id` is kept when the same message is published again. */
  publish<P>(type: string, partitionKey: string, payload: P, id: string = randomUUID()): Promise<void> {
    const envelope: Envelope<P> = { id, type, version: 1, occurredAt: new Date().toISOString(), source: this.source, partitionKey, payload };
    return new Promise((resolve, reject) => {
      this.channel.publish(
        EXCHANGE,
        type,
        Buffer.from(JSON.stringify(envelope)),
        { persistent: true, contentType: 'application/json', messageId: id, type, headers: { 'partition-key': partitionKey } },
        (error: unknown) => (error ? reject(new Error(`broker did not confirm ${type} ${id}`)) : resolve()),
      );
    });
  }

  /**
   * Declares our own durable quorum queue bound to `outbound.<channel>` and hands each message to
   * `handle`, one at a time in queue order. A message is acknowledged only after `handle` resolved,
   * so a crash redelivers it rather than losing it.
   */
  async consumeOutbound(queue: string, channelType: string, handle: (message: Envelope<OutboundMessage>) => Promise<void>): Promise<void> {
    await this.channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await this.channel.bindQueue(queue, EXCHANGE, `outbound.${channelType}`);
    await this.channel.prefetch(20);
    await this.channel.consume(queue, (delivery) => {
      if (!delivery) return;
      this.handling = this.handling
        .then(() => this.handleOne(delivery, handle))
        .catch((error: unknown) => console.error(`could not settle an outbound message: ${(error as Error).message}`));
    });
  }

  private async handleOne(delivery: ConsumeMessage, handle: (message: Envelope<OutboundMessage>) => Promise<void>): Promise<void> {
    const message = parseOutbound(delivery.content);
    if (!message) {
      console.error(`dropping outbound message ${String(delivery.properties.messageId)}: not an outbound envelope`);
      this.channel.nack(delivery, false, false);
      return;
    }
    try {
      await handle(message);
      this.channel.ack(delivery);
    } catch (error) {
      console.error(`outbound message ${message.id} failed, will be redelivered: ${(error as Error).message}`);
      this.channel.nack(delivery, false, true);
    }
  }

  async close(): Promise<void> {
    await this.handling;
    await this.connection.close();
  }
}

function parseOutbound(content: Buffer): Envelope<OutboundMessage> | undefined {
  try {
    const message = JSON.parse(content.toString('utf8')) as Partial<Envelope<Partial<OutboundMessage>>> | null;
    const payload = message?.payload;
    return typeof payload?.messageId === 'string' && typeof payload.channelId === 'string' ? (message as Envelope<OutboundMessage>) : undefined;
  } catch {
    return undefined;
  }
}
