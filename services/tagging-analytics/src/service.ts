import { Bus } from '@relaydesk/bus';
import { createDataSource, openDatabase, postgresDependency } from '@relaydesk/db';
import { closeBus, closeDatabase, closeHttp, createHttpApp, createLogger, exitGracefully, finishHttpApp, listen, loadConfig, requireIdentity, stopConsuming } from '@relaydesk/service-kit';
import { taggingAnalyticsConfig } from './config';
import { messageTaggedConsumer } from './events/message-tagged.consumer';
import { analyticsRoutes } from './http/analytics.routes';
import { analyticsMigrations } from './store/migrations';
import { TaggedMessageRepository } from './store/tagged-message.repository';

export async function runTaggingAnalytics(): Promise<void> {
  const config = loadConfig(taggingAnalyticsConfig);
  const logger = createLogger('tagging-analytics', config.LOG_LEVEL);
  const db = await openDatabase(createDataSource({ url: config.DATABASE_URL, schema: 'analytics', migrations: analyticsMigrations, poolSize: config.DB_POOL_SIZE }));
  const store = new TaggedMessageRepository(db);
  const bus = await Bus.connect({ url: config.AMQP_URL, logger });
  const consumers = [await messageTaggedConsumer(bus, store).start()];

  const app = createHttpApp({ logger, dependencies: [postgresDependency(db), bus.dependency] });
  app.use('/analytics', requireIdentity(config.INTERNAL_SECRET));
  app.use(analyticsRoutes(store));
  const server = await listen(finishHttpApp(app, logger), config.PORT);
  logger.info({ port: config.PORT }, 'tagging-analytics ready');

  exitGracefully(
    logger,
    [
      stopConsuming(consumers),
      closeHttp(server),
      closeBus(bus),
      closeDatabase(db),
    ],
    config.SHUTDOWN_TIMEOUT_MS,
  );
}
