import { setTimeout as sleep } from 'node:timers/promises';
import amqp, { type Channel, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { AppError, type Logger } from '@relaydesk/service-kit';
import { routeOf, type AnyMessage } from './envelope';
import { PARTITION_HEADER } from './topology';
import { inProducerSpan, traceHeaders } from './tracing';
import { within } from './within';

export type BusOptions = {
  url: string;
  logger: Logger;
  /** How long a publish waits for a lost broker connection to come back before it fails. */
  publishWaitMs?: number;
};

export type RawPublish = { exchange: string; routingKey: string; body: Buffer; headers: Record<string, unknown>; messageId: string; type?: string };

type Reconnectable = { name: string; restore(connection: ChannelModel): Promise<void> };

/** The broker is away or did not confirm: retryable, answered 503 over HTTP. */
export class BusUnavailableError extends AppError {
  constructor(message: string) {
    super('unavailable', message);
  }
}

/** AMQP headers of an envelope: its partition key, and the trace it was made in. */
export const headersOf = (m: { partitionKey: string; traceparent?: string }): Record<string, string> => ({
  [PARTITION_HEADER]: m.partitionKey,
  ...(m.traceparent ? { traceparent: m.traceparent } : {}),
});

/**
 * One connection to RabbitMQ with a confirm channel for publishing. When the connection drops it
 * reconnects with back-off and restores every consumer; publishes wait for it (up to publishWaitMs).
 */
export class Bus {
  private connection: ChannelModel | undefined;
  private publisher: ConfirmChannel | undefined;
  private ready: Promise<void>;
  private markReady: () => void = () => undefined;
  private closing = false;
  private readonly parts: Reconnectable[] = [];

  private constructor(private readonly options: BusOptions) {
    this.ready = this.newReadyPromise();
  }

  /** Connects, retrying while the broker is not up yet (a service may start before it). */
  static async connect(options: BusOptions, waitMs = 30_000): Promise<Bus> {
    const bus = new Bus(options);
    const deadline = Date.now() + waitMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await bus.open();
        return bus;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`RabbitMQ out of reach for ${waitMs} ms: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        options.logger.warn({ err: error, attempt }, 'broker not reachable yet: retrying');
        await sleep(Math.min(200 * 2 ** attempt, 2_000));
      }
    }
  }

  get logger(): Logger {
    return this.options.logger;
  }

  get isConnected(): boolean {
    return this.publisher !== undefined;
  }

  /** For GET /ready. */
  readonly dependency = {
    name: 'rabbitmq',
    check: () => {
      if (!this.isConnected) throw new BusUnavailableError('not connected');
    },
  };

  /** Publishes envelopes and resolves once the broker has confirmed every one of them. */
  async publish(messages: AnyMessage[]): Promise<void> {
    await this.publishRaw(
      messages.map((m) => ({
        ...routeOf(m),
        body: Buffer.from(JSON.stringify(m)),
        headers: headersOf(m),
        messageId: m.id,
        type: m.type,
      })),
    );
  }

  async publishRaw(messages: RawPublish[]): Promise<void> {
    if (messages.length === 0) return;
    const channel = await this.publishingChannel();
    await inProducerSpan(messages[0]?.routingKey ?? 'bus', () => {
      const trace = traceHeaders();
      return Promise.all(messages.map((m) => this.publishOne(channel, m, trace)));
    });
  }

  private publishOne(channel: ConfirmChannel, m: RawPublish, trace: Record<string, string>): Promise<void> {
    const waitMs = this.options.publishWaitMs ?? 10_000;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new BusUnavailableError(`publish of ${m.messageId} not confirmed within ${waitMs} ms`)), waitMs);
      const settle = (error?: Error | null) => {
        clearTimeout(timer);
        if (error) reject(new BusUnavailableError(`publish of ${m.messageId} not confirmed: ${error.message}`));
        else resolve();
      };
      try {
        channel.publish(
          m.exchange,
          m.routingKey,
          m.body,
          { persistent: true, contentType: 'application/json', messageId: m.messageId, type: m.type, timestamp: Math.floor(Date.now() / 1000), headers: { ...trace, ...m.headers } },
          (error: Error | null) => settle(error),
        );
      } catch (error) {
        settle(error instanceof Error ? error : new Error('channel closed')); // amqplib throws at once on a closed channel
      }
    });
  }

  /** Opens a channel for a part that must be rebuilt after a reconnect (a consumer, a topology). */
  async attach(part: Reconnectable): Promise<void> {
    this.parts.push(part);
    await this.ready;
    if (this.connection) await part.restore(this.connection);
  }

  detach(part: Reconnectable): void {
    const i = this.parts.indexOf(part);
    if (i >= 0) this.parts.splice(i, 1);
  }

  async withChannel<R>(run: (channel: Channel) => Promise<R>): Promise<R> {
    await this.ready;
    if (!this.connection) throw new BusUnavailableError('bus is closed');
    const channel = await this.connection.createChannel();
    try {
      return await run(channel);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    this.markReady();
    await this.connection?.close().catch(() => undefined);
    this.connection = undefined;
    this.publisher = undefined;
  }

  private async publishingChannel(): Promise<ConfirmChannel> {
    if (this.publisher) return this.publisher;
    const waitMs = this.options.publishWaitMs ?? 10_000;
    await within(waitMs, this.ready, () => new BusUnavailableError(`broker unreachable for ${waitMs} ms`));
    if (!this.publisher) throw new BusUnavailableError('bus is closed');
    return this.publisher;
  }

  private newReadyPromise(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.markReady = resolve;
    });
  }

  private async open(): Promise<void> {
    // noDelay: without it Nagle holds the second of two publishes until the broker's delayed ACK (~40 ms).
    const connection = await amqp.connect(this.options.url, { noDelay: true, clientProperties: { connection_name: this.options.logger.bindings()['service'] as string } });
    connection.on('error', (error: Error) => this.logger.warn({ err: error }, 'broker connection error'));
    connection.on('close', () => void this.onConnectionLost(connection));
    const publisher = await connection.createConfirmChannel();
    publisher.on('error', (error: Error) => this.logger.warn({ err: error }, 'publishing channel error'));
    this.connection = connection;
    for (const part of this.parts) await part.restore(connection);
    this.publisher = publisher;
    this.markReady();
  }

  private async onConnectionLost(lost: ChannelModel): Promise<void> {
    if (this.closing || this.connection !== lost) return;
    this.connection = undefined;
    this.publisher = undefined;
    this.ready = this.newReadyPromise();
    this.logger.warn('broker connection lost: reconnecting');
    for (let attempt = 0; !this.closing; attempt++) {
      await sleep(Math.min(100 * 2 ** attempt, 5_000));
      try {
        await this.open();
        this.logger.info({ attempts: attempt + 1 }, 'broker connection restored');
        return;
      } catch (error) {
        this.logger.warn({ err: error, attempt }, 'broker still unreachable');
        const half = this.connection as ChannelModel | undefined;
        this.connection = undefined;
        await half?.close().catch(() => undefined);
      }
    }
  }
}
