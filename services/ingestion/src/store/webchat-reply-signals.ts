import { Client } from 'pg';
import type { Logger } from '@relaydesk/service-kit';
import { z } from 'zod';
import { REPLY_SIGNAL, type VisitorKey } from './webchat.repository';

const signal = z.object({ channelId: z.string(), visitorId: z.string() });

export type ReplySignalHandlers = {
  /** A reply for this visitor was committed. */
  reply: (visitor: VisitorKey) => void;
  /** Signals may have been lost (the listening connection was down): every visitor should look again. */
  resync: () => void;
};

const RECONNECT_MS = [500, 1_000, 2_000, 5_000, 10_000];

/** Listens, on a connection of its own, for the signals saveWebchatReply sends when its transaction commits. */
export class ReplySignals {
  private client: Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private failures = 0;

  constructor(
    private readonly databaseUrl: string,
    private readonly logger: Logger,
    private readonly handlers: ReplySignalHandlers,
  ) {}

  async start(): Promise<this> {
    await this.connect();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl });
    client.on('notification', (n) => this.received(n.payload));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${REPLY_SIGNAL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.failures = 0;
    this.handlers.resync();
  }

  private received(payload: string | undefined): void {
    try {
      const parsed = signal.safeParse(JSON.parse(payload ?? ''));
      if (parsed.success) this.handlers.reply(parsed.data);
    } catch {
      this.logger.warn({ payload }, 'webchat: ignored a reply signal that is not JSON');
    }
  }

  private lost(client: Client, error?: Error): void {
    if (this.client !== client || this.stopped) return;
    this.client = undefined;
    this.logger.warn({ err: error }, 'webchat: lost the reply signal connection, reconnecting');
    client.end().catch(() => undefined);
    this.reconnectLater();
  }

  private reconnectLater(): void {
    const delay = RECONNECT_MS[Math.min(this.failures++, RECONNECT_MS.length - 1)];
    this.retry = setTimeout(() => {
      if (this.stopped) return;
      this.connect().catch((error: unknown) => {
        this.logger.warn({ err: error }, 'webchat: reply signal connection failed, retrying');
        this.reconnectLater();
      });
    }, delay);
    this.retry.unref();
  }
}
