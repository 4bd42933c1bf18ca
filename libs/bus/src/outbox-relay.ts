import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource, QueryRunner } from 'typeorm';
import { readOutbox, removeFromOutbox, type OutboxRow } from '@relaydesk/db';
import type { Logger } from '@relaydesk/service-kit';
import type { MessageType } from '@relaydesk/contracts';
import { headersOf, type Bus } from './bus';
import type { AnyMessage } from './envelope';

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
 * Publishes outbox rows in id order with confirms and deletes them once confirmed. One replica at a
 * time relays (a PostgreSQL advisory lock), which keeps each partition's events in order. A commit
 * in this process wakes it at once (`kick`); rows from elsewhere are found within `idlePollMs`.
 */
export class OutboxRelay {
  private runner: QueryRunner | undefined;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private pending = false;
  private readonly batchSize: number;
  private readonly idlePollMs: number;
  private readonly local: LocalDelivery | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: Bus,
    private readonly logger: Logger,
    options: OutboxRelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.idlePollMs = options.idlePollMs ?? 50;
    this.local = options.local;
  }

  start(): this {
    this.loop ??= this.run();
    return this;
  }

  kick(): void {
    this.pending = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    await this.releaseLock();
  }

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
    const manager = this.runner!.manager;
    const rows = await readOutbox(manager, this.batchSize);
    if (rows.length === 0) return 0;
    await this.bus.publishRaw((await this.deliverLocally(rows)).map(toPublish));
    await removeFromOutbox(manager, rows.map((r) => r.id));
    return rows.length;
  }

  /** Answers the rows still to publish: all but those delivered in this process. */
  private async deliverLocally(rows: OutboxRow[]): Promise<OutboxRow[]> {
    const local = this.local;
    if (!local) return rows;
    const mine = rows.filter((r) => (r.envelope as AnyMessage).type === local.type);
    if (mine.length === 0) return rows;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${local.timeoutMs ?? 2_000} ms`)), local.timeoutMs ?? 2_000);
    });
    const onTheirRoute = local.publishToo ? rows : rows.filter((r) => !mine.includes(r));
    try {
      await Promise.race([local.deliver(mine.map((r) => r.envelope as AnyMessage)), timeout]);
      return onTheirRoute;
    } catch (error) {
      this.logger.warn({ err: error, type: local.type, count: mine.length }, 'outbox relay: local delivery failed; publishing to the bus instead');
      const fallback = local.fallbackExchange;
      return fallback === undefined ? rows : [...onTheirRoute, ...mine.map((r) => ({ ...r, exchange: fallback }))];
    } finally {
      clearTimeout(timer);
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

  private async holdLock(): Promise<boolean> {
    if (this.runner) return true;
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    // One lock per schema: services sharing a database each have their own relay.
    const schema = (this.dataSource.options as { schema: string }).schema;
    const [row] = (await runner.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [`outbox-relay:${schema}`])) as { locked: boolean }[];
    if (row?.locked) {
      this.runner = runner;
      return true;
    }
    await runner.release();
    return false;
  }

  private async releaseLock(): Promise<void> {
    const runner = this.runner;
    this.runner = undefined;
    if (!runner) return;
    await runner.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
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
