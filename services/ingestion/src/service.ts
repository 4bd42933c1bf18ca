import { createHmac } from 'node:crypto';
import { Redis } from 'ioredis';
import { createBlobStore } from '@relaydesk/blob-store';
import { Bus, keepInboxPurged, OutboxRelay } from '@relaydesk/bus';
import { createDataSource, openDatabase, postgresDependency } from '@relaydesk/db';
import { closeBus, closeDatabase, closeHttp, closeRedis, createHttpApp, createLogger, exitGracefully, finishHttpApp, flushOutbox, listen, loadConfig, requireIdentity, stopConsuming } from '@relaydesk/service-kit';
import { ingestionConfig } from './config';
import { webchatOutboundConsumer } from './events/outbound.consumer';
import { platformOutboundConsumer } from './events/platform-outbound.consumer';
import { WhatsappSender } from './domain/whatsapp/sender';
import { TelegramSender } from './domain/telegram/sender';
import { OutboundDeliveryRepository } from './store/outbound-delivery.repository';
import { channelRoutes } from './http/channel.routes';
import { ingestRoutes } from './http/ingest.routes';
import { webchatRoutes } from './http/webchat.routes';
import { VisitorStream } from './http/webchat-stream';
import { WebchatRepository } from './store/webchat.repository';
import { whatsappRoutes } from './http/whatsapp.routes';
import { telegramRoutes } from './http/telegram.routes';
import { ChannelRepository } from './store/channel.repository';
import { SecretBox } from './store/secret-box';
import { ingestionMigrations } from './store/migrations';

export async function runIngestion(): Promise<void> {
  const config = loadConfig(ingestionConfig);
  const logger = createLogger('ingestion', config.LOG_LEVEL);
  const db = await openDatabase(createDataSource({ url: config.DATABASE_URL, schema: 'ingestion', migrations: ingestionMigrations, poolSize: config.DB_POOL_SIZE }));
  const bus = await Bus.connect({ url: config.AMQP_URL, logger });
  const redis = new Redis(config.REDIS_URL, { keyPrefix: config.REDIS_PREFIX, maxRetriesPerRequest: 2, enableAutoPipelining: true });
  const relay = new OutboxRelay(db, bus, logger).start();
  const blobs = await createBlobStore(config);
  const channels = new ChannelRepository(db, new SecretBox(config.SECRETS_KEY, config.INTERNAL_SECRET, config.SECRETS_KEY_PREVIOUS));
  if (!config.SECRETS_KEY && config.NODE_ENV === 'production') {
    logger.warn('SECRETS_KEY is unset: channel secrets are sealed with a key derived from INTERNAL_SECRET, so changing INTERNAL_SECRET makes them unreadable');
  }
  const sealed = await channels.resealStaleSecrets();
  if (sealed > 0) logger.info({ channels: sealed }, 'sealed with SECRETS_KEY the secrets of channels stored in clear or sealed with an earlier key');
  const deliveries = new OutboundDeliveryRepository(db);
  const senders = { whatsapp: new WhatsappSender(), telegram: new TelegramSender() };
  const delivery = { db, relay, blobs, channels, deliveries, senders, maxAttempts: config.OUTBOUND_RETRY_DELAYS_MS.length + 1 };
  const consumers = [await webchatOutboundConsumer(bus, db, relay).start(), await platformOutboundConsumer(bus, delivery, config.OUTBOUND_RETRY_DELAYS_MS).start()];
  const inboxPurge = keepInboxPurged(db, logger, config);

  const app = createHttpApp({
    logger,
    dependencies: [postgresDependency(db), bus.dependency, { name: 'redis', check: () => redis.ping() }, { name: 'blob store', check: () => blobs.check(), optional: true }],
    // Platforms and visitors reach this port too.
    readyReasons: false,
  });
  app.set('trust proxy', config.TRUST_PROXY);
  const visitorSecret = createHmac('sha256', config.INTERNAL_SECRET).update('webchat-visitors').digest('hex');
  app.use(ingestRoutes({ bus, redis, channels, visitorSecret, publicUrl: config.PUBLIC_INGEST_URL }));
  const webchatDeps = { logger, bus, redis, channels, blobs, visitorSecret, publicUrl: config.PUBLIC_INGEST_URL, webchat: new WebchatRepository(db), databaseUrl: config.DATABASE_URL };
  app.use(webchatRoutes(webchatDeps));
  app.use('/channels', requireIdentity(config.INTERNAL_SECRET));
  app.use(channelRoutes(db, relay, channels, config.PUBLIC_INGEST_URL));
  app.use('/internal', requireIdentity(config.INTERNAL_SECRET));
  app.use(whatsappRoutes(channels, { bus, redis, blobs, deliveries, logger }));
  app.use(telegramRoutes(channels, { bus, redis, blobs, publicUrl: config.PUBLIC_INGEST_URL }));
  const server = await listen(finishHttpApp(app, logger), config.PORT);
  const visitorStream = await new VisitorStream(webchatDeps).start(server);
  logger.info({ port: config.PORT }, 'ingestion ready');

  exitGracefully(
    logger,
    [
      ['close visitor streams', () => visitorStream.stop()],
      closeHttp(server),
      stopConsuming(consumers),
      ['stop inbox purge', () => inboxPurge.stop()],
      flushOutbox(relay),
      closeBus(bus),
      closeRedis(redis),
      closeDatabase(db),
    ],
    config.SHUTDOWN_TIMEOUT_MS,
  );
}
