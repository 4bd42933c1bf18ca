import { Bus } from '@relaydesk/bus';
import { createDataSource, openDatabase, postgresDependency } from '@relaydesk/db';
import { closeServer, createHttpApp, createLogger, exitGracefully, finishHttpApp, listen, loadConfig } from '@relaydesk/service-kit';
import { notificationConfig } from './config';
import { notificationMigrations } from './store/migrations';

export async function runNotification(): Promise<void> {
  const config = loadConfig(notificationConfig);
  const logger = createLogger('notification', config.LOG_LEVEL);
  const db = await openDatabase(createDataSource({ url: config.DATABASE_URL, schema: 'notification', migrations: notificationMigrations }));
  const bus = await Bus.connect({ url: config.AMQP_URL, logger });

  const app = createHttpApp({ logger, dependencies: [postgresDependency(db), bus.dependency] });
  const server = await listen(finishHttpApp(app, logger), config.PORT);
  logger.info({ port: config.PORT }, 'notification ready');

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
