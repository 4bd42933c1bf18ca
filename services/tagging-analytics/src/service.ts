import { Bus } from '@relaydesk/bus';
import { createDataSource, openDatabase, postgresDependency } from '@relaydesk/db';
import { closeServer, createHttpApp, createLogger, exitGracefully, finishHttpApp, listen, loadConfig } from '@relaydesk/service-kit';
import { taggingAnalyticsConfig } from './config';
import { analyticsMigrations } from './store/migrations';

export async function runTaggingAnalytics(): Promise<void> {
  const config = loadConfig(taggingAnalyticsConfig);
  const logger = createLogger('tagging-analytics', config.LOG_LEVEL);
  const db = await openDatabase(createDataSource({ url: config.DATABASE_URL, schema: 'analytics', migrations: analyticsMigrations }));
  const bus = await Bus.connect({ url: config.AMQP_URL, logger });

  const app = createHttpApp({ logger, dependencies: [postgresDependency(db), bus.dependency] });
  const server = await listen(finishHttpApp(app, logger), config.PORT);
  logger.info({ port: config.PORT }, 'tagging-analytics ready');

  exitGracefully(
    logger,
    [
      ['close http', () => closeServer(server)],
      ['close bus', () => bus.close()],
      ['close database', () => db.destroy()],
    ],
    config.SHUTDOWN_TIMEOUT_MS,
  );
}
