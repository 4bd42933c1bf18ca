import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource, QueryRunner } from 'typeorm';
import { readOutbox, removeFromOutbox, type OutboxRow } from '@relaydesk/db';
import type { Logger } from '@relaydesk/service-kit';
import { headersOf, type Bus } from './bus';

export type OutboxRelayOptions = { batchSize?: number; idlePollMs?: number };

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

  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: Bus,
    private readonly logger: Logger,
    options: OutboxRelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.idlePollMs = options.idlePollMs ?? 50;
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
    await this.bus.publishRaw(rows.map(toPublish));
    await removeFromOutbox(manager, rows.map((r) => r.id));
    return rows.length;
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
