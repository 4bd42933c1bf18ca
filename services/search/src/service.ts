import { Bus } from '@relaydesk/bus';
import { createDataSource, openDatabase, postgresDependency } from '@relaydesk/db';
import { closeBus, closeDatabase, closeHttp, createHttpApp, createLogger, exitGracefully, finishHttpApp, listen, loadConfig, requireIdentity, stopConsuming } from '@relaydesk/service-kit';
import { searchConfig } from './config';
import { conversationChangedConsumer } from './events/conversation-changed.consumer';
import { searchRoutes } from './http/search.routes';
import { createSearchEngine } from './store/create-search-engine';
import { searchMigrations } from './store/migrations';

export async function runSearch(): Promise<void> {
  const config = loadConfig(searchConfig);
  const logger = createLogger('search', config.LOG_LEVEL);
  const db = await openDatabase(createDataSource({ url: config.DATABASE_URL, schema: 'search', migrations: searchMigrations, poolSize: config.DB_POOL_SIZE }));
  const engine = createSearchEngine(config, db);
  const bus = await Bus.connect({ url: config.AMQP_URL, logger });
  const consumers = [await conversationChangedConsumer(bus, engine, config.FEED_PARTITIONS).start()];

  const app = createHttpApp({ logger, dependencies: [postgresDependency(db), bus.dependency, { name: 'search engine', check: () => engine.check() }] });
  app.use('/search', requireIdentity(config.INTERNAL_SECRET));
  app.use(searchRoutes(engine));
  const server = await listen(finishHttpApp(app, logger), config.PORT);
  logger.info({ port: config.PORT, engine: config.MEILI_URL ? 'meilisearch' : 'postgres' }, 'search ready');

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
