import { Bus, isType, keepInboxPurged, OutboxRelay } from '@relaydesk/bus';
import { createDataSource, openDatabase, postgresDependency } from '@relaydesk/db';
import { closeBus, closeDatabase, closeHttp, closeRedis, createHttpApp, createLogger, exitGracefully, finishHttpApp, flushOutbox, listen, loadConfig, requireIdentity, stopConsuming } from '@relaydesk/service-kit';
import { conversationConfig } from './config';
import { LiveState } from '@relaydesk/live';
import { Redis } from 'ioredis';
import { deliveryReportsConsumer, LIVE_STATE_CONSUMER, liveStateConsumer, routedMessagesConsumer, transcriptOutcomesConsumer } from './events/consumers';
import { attachmentRoutes } from './http/attachment.routes';
import { cannedResponseRoutes } from './http/canned-response.routes';
import { clientRoutes } from './http/client.routes';
import { conversationRoutes } from './http/conversation.routes';
import { exportRoutes } from './http/export.routes';
import { outgoingRoutes } from './http/outgoing.routes';
import { tagRoutes } from './http/tag.routes';
import { transcriptRoutes } from './http/transcript.routes';
import { conversationMigrations } from './store/migrations';
import { keepLiveStateBuilt } from './domain/rebuild-live-state';

export async function runConversation(): Promise<void> {
  const config = loadConfig(conversationConfig);
  const logger = createLogger('conversation', config.LOG_LEVEL);
  const db = await openDatabase(createDataSource({ url: config.DATABASE_URL, schema: 'conversation', migrations: conversationMigrations, poolSize: config.DB_POOL_SIZE }));
  const bus = await Bus.connect({ url: config.AMQP_URL, logger });
  const redis = new Redis(config.REDIS_URL);
  const live = new LiveState(redis, { prefix: config.REDIS_PREFIX });
  // conversation.changed goes straight from the outbox to Redis, then to the bus for search and any
  // other projection; what Redis refuses goes to the live consumer too, which declares its exchange first.
  const liveConsumer = await liveStateConsumer(bus, live).start();
  const relay = new OutboxRelay(db, bus, logger, {
    local: {
      type: 'conversation.changed',
      publishToo: true,
      fallbackExchange: LIVE_STATE_CONSUMER,
      deliver: (changes) => live.apply(changes.filter(isType('conversation.changed')).map((c) => c.payload)),
    },
  }).start();
  const consumers = [
    liveConsumer,
    await routedMessagesConsumer(bus, db, relay, config.INBOUND_PARTITIONS).start(),
    await deliveryReportsConsumer(bus, db, relay).start(),
    await transcriptOutcomesConsumer(bus, db).start(),
  ];

  const stopLiveChecks = keepLiveStateBuilt(db, live, logger, config.LIVE_STATE_CHECK_MS);
  const inboxPurge = keepInboxPurged(db, logger, config);

  const app = createHttpApp({ logger, dependencies: [postgresDependency(db), { ...bus.dependency, optional: true }, { name: 'redis', check: () => redis.ping() }] });
  app.use('/conversations', requireIdentity(config.INTERNAL_SECRET));
  app.use(conversationRoutes(db, relay));
  app.use('/tags', requireIdentity(config.INTERNAL_SECRET));
  app.use('/transcripts', requireIdentity(config.INTERNAL_SECRET));
  app.use(tagRoutes(db, relay), transcriptRoutes(db, relay));
  app.use('/clients', requireIdentity(config.INTERNAL_SECRET));
  app.use(clientRoutes(db, relay));
  app.use('/attachments', requireIdentity(config.INTERNAL_SECRET));
  app.use(attachmentRoutes(db));
  app.use('/canned-responses', requireIdentity(config.INTERNAL_SECRET), cannedResponseRoutes(db));
  app.use('/export', requireIdentity(config.INTERNAL_SECRET), exportRoutes(db));
  app.use('/outgoing', requireIdentity(config.INTERNAL_SECRET));
  app.use(outgoingRoutes(db, relay));
  const server = await listen(finishHttpApp(app, logger), config.PORT);
  logger.info({ port: config.PORT }, 'conversation ready');

  exitGracefully(
    logger,
    [
      ['stop live checks', () => Promise.resolve(stopLiveChecks())],
      stopConsuming(consumers),
      ['stop inbox purge', () => inboxPurge.stop()],
      closeHttp(server),
      flushOutbox(relay),
      closeBus(bus),
      closeRedis(redis),
      closeDatabase(db),
    ],
    config.SHUTDOWN_TIMEOUT_MS,
  );
}
