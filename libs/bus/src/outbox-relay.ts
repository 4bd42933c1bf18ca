import { setTimeout as sleep } from 'node:timers/promises';
import type { BatchObservableResult } from '@opentelemetry/api';
import type { Notification, ClientBase } from 'pg';
import type { DataSource, QueryRunner } from 'typeorm';
import { removeFromOutbox, takeNextFromOutbox, type OutboxRow } from '@relaydesk/db';
import type { Logger } from '@relaydesk/service-kit';
import type { MessageType } from '@relaydesk/contracts';
import { headersOf, type Bus } from './bus';
import type { AnyMessage } from './envelope';
import { busMetrics, readingWithin } from './metrics';
import { within } from './within';

/**
 * Hands events of one type to a projection in this process before (or instead of) the broker. It
 * must be idempotent; when it fails, the relay publishes those events after all, so a consumer of
 * the type applies them later and nothing waits on the projection's store.
 */
export type LocalDelivery = {
  type: MessageType;
  deliver: (messages: AnyMessage[]) => Promise<void>;
  /** Other services consume the type too: publish it after the local delivery as well. */
  publishToo?: boolean;
  /**
   * The entry exchange of the consumer that applies what the projection refused (its name). The
   * refused events go there as well as on their own route, so that consumer needs no binding and
   * sees nothing of what was delivered here.
   */
  fallbackExchange?: string;
  /** A store that hangs counts as failed after this long (default 2 s), so it never holds the outbox back. */
  timeoutMs?: number;
};

export type OutboxRelayOptions = { batchSize?: number; idlePollMs?: number; local?: LocalDelivery };

/**
 * Publishes outbox rows in id order with confirms and deletes them once confirmed, with its next
 * read (at the latest `idlePollMs` later, or on stop): a relay that dies before that publishes them
 * again, which the consumers' inboxes absorb. One replica at a time relays (a PostgreSQL advisory
 * lock), which keeps each partition's events in order. A commit wakes it at once (`kick`): in the
 * replica that relays directly, in the others by a NOTIFY that the relaying one listens for. Rows
 * nobody announced (a replica that died right after its commit) are found within `idlePollMs`.
 */
export class OutboxRelay {
  private runner: QueryRunner | undefined;
  /** The relaying connection, which listens for the other replicas' commits. */
  private listening: ClientBase | undefined;
  private notifying: Promise<void> | undefined;
  private notifyAgain = false;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private pending = false;
  /** Ids of rows the broker has confirmed, deleted by the next read. */
  private published: string[] = [];
  private readonly batchSize: number;
  private readonly idlePollMs: number;
  private readonly local: LocalDelivery | undefined;
  private readonly metrics = busMetrics();

  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: Bus,
    private readonly logger: Logger,
    options: OutboxRelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.idlePollMs = options.idlePollMs ?? 1_000;
    this.local = options.local;
  }

  start(): this {
    if (!this.loop) this.metrics.meter.addBatchObservableCallback(this.observeBacklog, [this.metrics.outboxRows, this.metrics.outboxAge]);
    this.loop ??= this.run();
    return this;
  }

  kick(): void {
    this.pending = true;
    if (this.runner) this.wake?.();
    else this.notifyRelayingReplica();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.metrics.meter.removeBatchObservableCallback(this.observeBacklog, [this.metrics.outboxRows, this.metrics.outboxAge]);
    this.wake?.();
    await this.loop;
    await this.notifying;
    if (this.runner) await removeFromOutbox(this.runner.manager, this.published).catch((error: unknown) => this.logger.warn({ err: error }, 'outbox relay: published rows stay for the next relay'));
    await this.releaseLock();
  }

  /** Every replica reports the one table, so dashboards take the max over a service's replicas. */
  private readonly observeBacklog = async (result: BatchObservableResult): Promise<void> => {
    const rows = await readingWithin(2_000, () =>
      this.dataSource.query<{ rows: number; age: number }[]>(`SELECT count(*)::int AS rows, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS age FROM outbox`),
    );
    const backlog = rows?.[0];
    if (!backlog) return;
    result.observe(this.metrics.outboxRows, backlog.rows);
    result.observe(this.metrics.outboxAge, backlog.age);
  };

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (!(await this.holdLock())) {
          await this.idle(1_000);
          continue;
        }
        this.pending = false;
        const published = await this.relayOnce();
        if (published < this.batchSize && !this.pending) await this.idle(this.idlePollMs);
      } catch (error) {
        this.logger.warn({ err: error }, 'outbox relay failed: retrying');
        await this.releaseLock();
        await sleep(500);
      }
    }
  }

  private async relayOnce(): Promise<number> {
    const rows = await takeNextFromOutbox(this.runner!.manager, this.published, this.batchSize);
    this.published = [];
    if (rows.length === 0) return 0;
    await this.bus.publishRaw((await this.deliverLocally(rows)).map(toPublish));
    this.published = rows.map((r) => r.id);
    return rows.length;
  }

  /** Answers the rows still to publish: all but those delivered in this process. */
  private async deliverLocally(rows: OutboxRow[]): Promise<OutboxRow[]> {
    const local = this.local;
    if (!local) return rows;
    const mine = rows.filter((r) => (r.envelope as AnyMessage).type === local.type);
    if (mine.length === 0) return rows;
    const waitMs = local.timeoutMs ?? 2_000;
    const onTheirRoute = local.publishToo ? rows : rows.filter((r) => !mine.includes(r));
    try {
      await within(waitMs, local.deliver(mine.map((r) => r.envelope as AnyMessage)), () => new Error(`no answer within ${waitMs} ms`));
      return onTheirRoute;
    } catch (error) {
      this.logger.warn({ err: error, type: local.type, count: mine.length }, 'outbox relay: local delivery failed; publishing to the bus instead');
      const fallback = local.fallbackExchange;
      return fallback === undefined ? rows : [...onTheirRoute, ...mine.map((r) => ({ ...r, exchange: fallback }))];
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  /** The name of the lock and of the notification channel, one per schema: services sharing a database each have their own relay. */
  private get relayName(): string {
    return `outbox-relay:${(this.dataSource.options as { schema: string }).schema}`;
  }

  private async holdLock(): Promise<boolean> {
    if (this.runner) return true;
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const [row] = (await runner.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [this.relayName])) as { locked: boolean }[];
    if (!row?.locked) {
      await runner.release();
      return false;
    }
    this.runner = runner;
    this.listening = (runner as unknown as { databaseConnection: ClientBase }).databaseConnection;
    this.listening.on('notification', this.onNotification);
    await runner.query(`LISTEN "${this.relayName.replaceAll('"', '""')}"`);
    return true;
  }

  private readonly onNotification = (n: Notification): void => {
    if (n.channel === this.relayName) this.kick();
  };

  /** Tells the replica that holds the lock that this one committed rows (coalesced while one is on its way). */
  private notifyRelayingReplica(): void {
    if (this.stopped) return;
    if (this.notifying) {
      this.notifyAgain = true;
      return;
    }
    this.notifying = this.dataSource
      .query(`SELECT pg_notify($1, '')`, [this.relayName])
      .then(
        () => undefined,
        (error: unknown) => this.logger.warn({ err: error }, 'outbox relay: could not notify the relaying replica; it polls'),
      )
      .finally(() => {
        this.notifying = undefined;
        if (this.notifyAgain) {
          this.notifyAgain = false;
          this.notifyRelayingReplica();
        }
      });
  }

  private async releaseLock(): Promise<void> {
    const runner = this.runner;
    this.runner = undefined;
    this.listening?.off('notification', this.onNotification);
    this.listening = undefined;
    if (!runner) return;
    await runner.query('UNLISTEN *; SELECT pg_advisory_unlock_all()').catch(() => undefined);
    await runner.release();
  }
}

function toPublish(row: OutboxRow) {
  const envelope = row.envelope as { id: string; type: string; partitionKey: string; traceparent?: string };
  return {
    exchange: row.exchange,
    routingKey: row.routingKey,
    body: Buffer.from(JSON.stringify(envelope)),
    headers: headersOf(envelope),
    messageId: envelope.id,
    type: envelope.type,
  };
}
