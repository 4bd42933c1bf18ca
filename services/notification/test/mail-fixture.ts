import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blobStoreConfig, createBlobStore, type BlobStore } from '@relaydesk/blob-store';
import { Bus, makeEnvelope } from '@relaydesk/bus';
import type { TranscriptMessage, TranscriptOutcome, TranscriptRequested } from '@relaydesk/contracts';
import { createLogger } from '@relaydesk/service-kit';
import { createTestEnv, EventTap, startService, TestSmtpServer, waitFor, type RunningService, type TappedEvent, type TestEnv } from '@relaydesk/testing';

/** `transcript.sent` / `transcript.failed` as they leave the service. */
export class OutcomeWatch {
  private constructor(private readonly tap: EventTap) {}

  static async open(amqpUrl: string): Promise<OutcomeWatch> {
    return new OutcomeWatch(await EventTap.open(amqpUrl, 'events', ['transcript.sent', 'transcript.failed']));
  }

  of(transcriptId: string): TappedEvent<TranscriptOutcome>[] {
    return this.tap.seen.filter((e) => e.payload.transcriptId === transcriptId);
  }

  /** The one outcome of a transcript. */
  async outcome(transcriptId: string, timeoutMs = 15_000): Promise<TappedEvent<TranscriptOutcome>> {
    return waitFor(`outcome of ${transcriptId}`, () => this.of(transcriptId)[0], { timeoutMs });
  }

  close(): Promise<void> {
    return this.tap.close();
  }
}

/** A test environment with the notification service pointed at a test SMTP server and blob directory. */
export class MailStand {
  service!: RunningService;

  private constructor(
    readonly env: TestEnv,
    readonly smtp: TestSmtpServer,
    readonly outcomes: OutcomeWatch,
    readonly bus: Bus,
    readonly blobDir: string,
    readonly blobs: BlobStore,
    readonly serviceEnv: Record<string, string>,
  ) {}

  static async open(extraEnv: Record<string, string> = {}): Promise<MailStand> {
    const env = await createTestEnv();
    const smtp = await TestSmtpServer.start();
    const blobDir = await mkdtemp(join(tmpdir(), 'notification-blobs-'));
    const serviceEnv = {
      ...env.env,
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Relaydesk Test <desk@relaydesk.test>',
      BLOB_DIR: blobDir,
      S3_BUCKET: '',
      PUBLIC_APP_URL: 'https://desk.example.com',
      MAIL_RETRY_DELAYS_MS: '200,400',
      MAIL_POLL_MS: '100',
      SMTP_CONNECTION_TIMEOUT_MS: '2000',
      ...extraEnv,
    };
    const bus = await Bus.connect({ url: env.amqpUrl, logger: createLogger('notification-test', 'silent') });
    const stand = new MailStand(env, smtp, await OutcomeWatch.open(env.amqpUrl), bus, blobDir, await createBlobStore(blobStoreConfig.parse({ BLOB_DIR: blobDir, S3_BUCKET: '' })), serviceEnv);
    await stand.startService();
    return stand;
  }

  async startService(): Promise<void> {
    this.service = await startService('notification', this.serviceEnv);
  }

  async request(payload: TranscriptRequested): Promise<void> {
    await this.bus.publish([makeEnvelope('transcript.requested', payload, { source: 'conversation', partitionKey: payload.conversationId })]);
  }

  async close(): Promise<void> {
    await this.service?.stop();
    await this.outcomes.close().catch(() => undefined);
    await this.bus.close();
    await this.smtp.down();
    await rm(this.blobDir, { recursive: true, force: true });
    await this.env.dispose();
  }
}

export function transcriptRequest(messages: TranscriptMessage[], over: Partial<TranscriptRequested> = {}): TranscriptRequested {
  return {
    transcriptId: randomUUID(),
    conversationId: randomUUID(),
    requestedBy: randomUUID(),
    requestedAt: new Date().toISOString(),
    to: ['boss@example.com'],
    subject: 'Conversation with Anna',
    timeZone: 'Europe/Berlin',
    conversation: { clientName: 'Anna Client', channel: 'whatsapp', groupName: 'Sales', assigneeName: 'Bob Operator' },
    messages,
    omittedMessages: 0,
    ...over,
  };
}

let clock = Date.parse('2026-03-12T09:00:00Z');
export function transcriptMessage(text: string | null, over: Partial<TranscriptMessage> = {}): TranscriptMessage {
  clock += 60_000;
  return { id: randomUUID(), createdAt: new Date(clock).toISOString(), direction: 'in', kind: 'text', text, sender: { type: 'client', name: 'Anna Client' }, ...over };
}
