import { Client } from 'pg';
import type { Logger } from '@relaydesk/service-kit';
import { z } from 'zod';
import { CHANNEL_SIGNAL } from './channel.repository';
import { REPLY_SIGNAL, type VisitorKey } from './webchat.repository';

const replySignal = z.object({ channelId: z.string(), visitorId: z.string() });

export type WebchatSignalHandlers = {
  /** A line for this visitor (a reply or his own message) was committed. */
  reply: (visitor: VisitorKey) => void;
  /** A channel's settings or switch changed on some replica. */
  channelChanged: (channelId: string) => void;
  /** Signals may have been lost (the listening connection was down): every visitor should look again. */
  resync: () => void;
};

const RECONNECT_MS = [500, 1_000, 2_000, 5_000, 10_000];

/** Listens, on a connection of its own, for the signals of committed webchat lines and channel changes. */
export class WebchatSignals {
  private client: Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private failures = 0;

  constructor(
    private readonly databaseUrl: string,
    private readonly logger: Logger,
    private readonly handlers: WebchatSignalHandlers,
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
    client.on('notification', (n) => (n.channel === CHANNEL_SIGNAL ? this.handlers.channelChanged(n.payload ?? '') : this.received(n.payload)));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${REPLY_SIGNAL}; LISTEN ${CHANNEL_SIGNAL}`);
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
      const parsed = replySignal.safeParse(JSON.parse(payload ?? ''));
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
