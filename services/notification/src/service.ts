import { createBlobStore } from '@relaydesk/blob-store';
import { Bus, OutboxRelay } from '@relaydesk/bus';
import { createDataSource, openDatabase, postgresDependency } from '@relaydesk/db';
import { closeBus, closeDatabase, closeHttp, createHttpApp, createLogger, exitGracefully, finishHttpApp, flushOutbox, listen, loadConfig, signFileLink, stopConsuming } from '@relaydesk/service-kit';
import { notificationConfig } from './config';
import { sendNextTranscript } from './domain/send-transcript';
import { transcriptRequestedConsumer } from './events/transcript-requested.consumer';
import { smtpMailer } from './mail/smtp-mailer';
import { TranscriptSender } from './mail/transcript-sender';
import { notificationMigrations } from './store/migrations';

export async function runNotification(): Promise<void> {
  const config = loadConfig(notificationConfig);
  const logger = createLogger('notification', config.LOG_LEVEL);
  // Each sending worker holds a connection for the whole of its SMTP conversation.
  const db = await openDatabase(createDataSource({ url: config.DATABASE_URL, schema: 'notification', migrations: notificationMigrations, poolSize: Math.max(config.DB_POOL_SIZE, config.MAIL_CONCURRENCY + 4) }));
  const bus = await Bus.connect({ url: config.AMQP_URL, logger });
  const relay = new OutboxRelay(db, bus, logger).start();
  const mailer = smtpMailer(config);
  const sending = {
    db,
    relay,
    mailer,
    blobs: await createBlobStore(config),
    logger,
    policy: { delaysMs: config.MAIL_RETRY_DELAYS_MS, giveUpMs: config.TRANSCRIPT_GIVE_UP_MS },
    linkOf: (attachmentId: string) =>
      `${config.PUBLIC_APP_URL.replace(/\/+$/, '')}/api/v1/attachments/${attachmentId}?link=${signFileLink(attachmentId, config.INTERNAL_SECRET, config.TRANSCRIPT_LINK_DAYS * 86_400)}`,
    maxAttachmentBytes: config.MAIL_ATTACHMENTS_MAX_BYTES,
  };
  const sender = new TranscriptSender({
    sendNext: () => sendNextTranscript(sending),
    concurrency: config.MAIL_CONCURRENCY,
    pollMs: config.MAIL_POLL_MS,
    logger,
  }).start();
  const consumers = [await transcriptRequestedConsumer(bus, db, () => sender.kick()).start()];

  const app = createHttpApp({ logger, dependencies: [postgresDependency(db), bus.dependency] });
  const server = await listen(finishHttpApp(app, logger), config.PORT);
  logger.info({ port: config.PORT }, 'notification ready');

  exitGracefully(
    logger,
    [
      stopConsuming(consumers),
      ['finish mails in hand', () => sender.stop()],
      closeHttp(server),
      flushOutbox(relay),
      closeBus(bus),
      ['close smtp', () => Promise.resolve(mailer.close())],
      closeDatabase(db),
    ],
    config.SHUTDOWN_TIMEOUT_MS,
  );
}
