import { setTimeout as sleep } from 'node:timers/promises';
import type { ObservableResult } from '@opentelemetry/api';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { exchanges } from '@relaydesk/contracts';
import { AppError } from '@relaydesk/service-kit';
import type { Bus } from './bus';
import { parseMessage, type AnyMessage } from './envelope';
import { busMetrics, readingWithin } from './metrics';
import {
  REASON_HEADER,
  declareConsumerTopology,
  deadLetterQueue,
  partitionQueue,
  retryQueue,
  type Binding,
} from './topology';
import { contextFromHeaders, inConsumerSpan } from './tracing';

export type HandleBatch = (messages: AnyMessage[]) => Promise<void>;

export type ConsumerOptions = {
  name: string;
  bindings: Binding[];
  /** Bindings an earlier release declared and this one does not: removed when the consumer starts. */
  retiredBindings?: Binding[];
  handle: HandleBatch;
  partitions?: number;
  /** Unacknowledged messages per partition; a batch takes at most this many. */
  prefetch?: number;
  retryDelaysMs?: number[];
  /** Quick retries in place before a message leaves its partition for the delay queue. */
  inPlaceRetryDelaysMs?: number[];
};

const ATTEMPT_HEADER = 'x-attempt';

/** A failure that no retry can mend: bad input or a rule that says no. It goes to the DLQ at once. */
const isPermanent = (error: unknown): boolean => error instanceof AppError && error.code !== 'unavailable';

type Partition = {
  queue: string;
  channel: Channel;
  tag: string;
  buffer: ConsumeMessage[];
  draining: Promise<void> | undefined;
  /** False once a batch failed midway: some of its deliveries may be unsettled, so no cumulative acks. */
  cumulativeAcks: boolean;
};

/**
 * Consumes a consumer's partitions with manual acks. Messages that wait while a batch is handled
 * form the next batch, so batches grow with load and cost nothing when idle. A failing batch is
 * retried one message at a time, so one bad message never holds back or loses its neighbours.
 */
const topicExchanges: readonly string[] = Object.values(exchanges);

/**
 * Broker permissions (a connector may publish only `inbound.api`) check the routing key, not the
 * body: a message published on a topic exchange is handled only as the type it was routed as.
 * Retries and replays come back through the consumer's own exchange, after this check.
 */
function misrouted(delivery: ConsumeMessage, message: AnyMessage): string | undefined {
  const { exchange, routingKey } = delivery.fields;
  if (!topicExchanges.includes(exchange) || routingKey === message.type) return undefined;
  return `routing key ${routingKey} does not match the message type ${message.type}`;
}

export class Consumer {
  private partitions: Partition[] = [];
  private stopped = false;
  private readonly part = { name: '', restore: (c: ChannelModel) => this.open(c) };
  private readonly options: Required<ConsumerOptions>;
  private readonly metrics = busMetrics();
  private readonly labels: { 'messaging.consumer.group.name': string };

  constructor(
    private readonly bus: Bus,
    options: ConsumerOptions,
  ) {
    this.options = { partitions: 1, retiredBindings: [], prefetch: 200, retryDelaysMs: [1_000, 10_000, 60_000], inPlaceRetryDelaysMs: [50, 250], ...options };
    this.part.name = options.name;
    this.labels = { 'messaging.consumer.group.name': options.name };
  }

  get name(): string {
    return this.options.name;
  }

  async start(): Promise<this> {
    await this.bus.attach(this.part);
    this.metrics.deadLetters.addCallback(this.observeDeadLetters);
    return this;
  }

  /** Stops taking messages, lets the batches in hand finish and be acknowledged, closes channels. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.metrics.deadLetters.removeCallback(this.observeDeadLetters);
    this.bus.detach(this.part);
    await Promise.all(
      this.partitions.map(async (p) => {
        await p.channel.cancel(p.tag).catch(() => undefined);
        await p.draining;
        await p.channel.close().catch(() => undefined);
      }),
    );
    this.partitions = [];
  }

  private async open(connection: ChannelModel): Promise<void> {
    if (this.stopped) return;
    const old = this.partitions;
    this.partitions = [];
    await Promise.all(old.map((p) => p.channel.close().catch(() => undefined)));
    const { name, bindings, retiredBindings, partitions, retryDelaysMs, prefetch } = this.options;
    const setup = await connection.createChannel();
    await declareConsumerTopology(setup, { name, bindings, retiredBindings, partitions, retryDelaysMs });
    await setup.close();
    for (let i = 0; i < partitions; i++) {
      const channel = await connection.createChannel();
      channel.on('error', (error: Error) => this.bus.logger.warn({ err: error, consumer: name }, 'consumer channel error'));
      await channel.prefetch(prefetch);
      const partition: Partition = { queue: partitionQueue(name, i), channel, tag: '', buffer: [], draining: undefined, cumulativeAcks: true };
      const { consumerTag } = await channel.consume(partition.queue, (delivery) => {
        if (delivery) this.receive(partition, delivery);
      });
      partition.tag = consumerTag;
      this.partitions.push(partition);
    }
  }

  private receive(p: Partition, delivery: ConsumeMessage): void {
    p.buffer.push(delivery);
    p.draining ??= this.drain(p).finally(() => {
      p.draining = undefined;
    });
  }

  private async drain(p: Partition): Promise<void> {
    while (p.buffer.length > 0) {
      const batch = p.buffer.splice(0, this.options.prefetch);
      try {
        await this.handleBatch(p, batch);
      } catch (error) {
        // Only the broker link can fail here; unacknowledged messages come back after reconnect.
        p.cumulativeAcks = false;
        this.bus.logger.warn({ err: error, queue: p.queue }, 'batch left unacknowledged');
      }
    }
  }

  private async handleBatch(p: Partition, deliveries: ConsumeMessage[]): Promise<void> {
    const valid: { delivery: ConsumeMessage; message: AnyMessage }[] = [];
    for (const delivery of deliveries) {
      const parsed = parseMessage(delivery.content);
      const reason = parsed.ok ? misrouted(delivery, parsed.message) : parsed.reason;
      if (parsed.ok && !reason) valid.push({ delivery, message: parsed.message });
      else await this.deadLetter(p, delivery, reason!);
    }
    if (valid.length === 0) return;
    const now = Date.now();
    for (const { message } of valid) this.metrics.lag.record(Math.max(0, now - Date.parse(message.occurredAt)) / 1000, this.labels);
    try {
      await this.run(p, valid);
    } catch (error) {
      for (const one of valid) await this.handleAlone(p, one, valid.length > 1 ? undefined : error);
      return;
    }
    // Outside the try: a failed ack (the link dropped) is not a failed handler; redelivery is safe.
    // When every delivery of the batch was handled here, one cumulative ack settles them all:
    // earlier batches on this channel are settled already, so nothing else is covered by it.
    const last = valid[valid.length - 1]!.delivery;
    if (p.cumulativeAcks && valid.length === deliveries.length) p.channel.ack(last, true);
    else for (const { delivery } of valid) p.channel.ack(delivery);
    this.settled('handled', valid.length);
  }

  private async handleAlone(p: Partition, one: { delivery: ConsumeMessage; message: AnyMessage }, firstError: unknown): Promise<void> {
    let error = firstError;
    const delays = [0, ...this.options.inPlaceRetryDelaysMs];
    for (let i = firstError === undefined ? 0 : 1; i < delays.length; i++) {
      if (error !== undefined && isPermanent(error)) break;
      await sleep(delays[i] ?? 0);
      try {
        await this.run(p, [one]);
      } catch (e) {
        error = e;
        continue;
      }
      p.channel.ack(one.delivery);
      this.settled('handled');
      return;
    }
    await this.retryLater(p, one.delivery, error);
  }

  private async run(p: Partition, batch: { delivery: ConsumeMessage; message: AnyMessage }[]): Promise<void> {
    const contexts = batch.map((b) => contextFromHeaders(b.delivery.properties.headers));
    const started = process.hrtime.bigint();
    try {
      await inConsumerSpan(p.queue, contexts, () => this.options.handle(batch.map((b) => b.message)));
    } finally {
      this.metrics.duration.record(Number(process.hrtime.bigint() - started) / 1e9, this.labels);
    }
  }

  private settled(outcome: 'handled' | 'retried' | 'dead_lettered', count = 1): void {
    this.metrics.settled.add(count, { ...this.labels, 'relaydesk.outcome': outcome });
  }

  /** The gauge of waiting dead letters; skipped while the broker is out of reach, so a scrape never waits for it. */
  private readonly observeDeadLetters = async (result: ObservableResult): Promise<void> => {
    if (!this.bus.isConnected) return;
    const queue = await readingWithin(2_000, () => this.bus.withChannel((channel) => channel.checkQueue(deadLetterQueue(this.name))));
    if (queue) result.observe(queue.messageCount, this.labels);
  };

  private async retryLater(p: Partition, delivery: ConsumeMessage, error: unknown): Promise<void> {
    const reason = error instanceof Error ? error.message : String(error);
    const attempt = Number(delivery.properties.headers?.[ATTEMPT_HEADER] ?? 0);
    const delay = this.options.retryDelaysMs[attempt];
    if (isPermanent(error) || delay === undefined) {
      await this.deadLetter(p, delivery, reason);
      return;
    }
    this.bus.logger.warn({ queue: p.queue, attempt: attempt + 1, delayMs: delay, reason }, 'handling failed: retrying later');
    await this.bus.publishRaw([
      {
        exchange: '',
        routingKey: retryQueue(this.options.name, delay),
        body: delivery.content,
        messageId: String(delivery.properties.messageId ?? ''),
        headers: { ...delivery.properties.headers, [ATTEMPT_HEADER]: attempt + 1, [REASON_HEADER]: reason },
      },
    ]);
    p.channel.ack(delivery);
    this.settled('retried');
  }

  private async deadLetter(p: Partition, delivery: ConsumeMessage, reason: string): Promise<void> {
    this.bus.logger.error({ queue: p.queue, messageId: delivery.properties.messageId, reason }, 'message dead-lettered');
    await this.bus.publishRaw([
      {
        exchange: '',
        routingKey: deadLetterQueue(this.options.name),
        body: delivery.content,
        messageId: String(delivery.properties.messageId ?? ''),
        headers: { ...delivery.properties.headers, [REASON_HEADER]: reason, 'x-failed-queue': p.queue, 'x-failed-at': new Date().toISOString() },
      },
    ]);
    p.channel.ack(delivery);
    this.settled('dead_lettered');
  }
}
