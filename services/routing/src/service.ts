import { Bus, keepInboxPurged } from '@relaydesk/bus';
import { createDataSource, openDatabase, postgresDependency } from '@relaydesk/db';
import { closeBus, closeDatabase, closeHttp, createHttpApp, createLogger, exitGracefully, finishHttpApp, listen, loadConfig, stopConsuming } from '@relaydesk/service-kit';
import { routingConfig } from './config';
import { channelConfiguredConsumer } from './events/channel-configured.consumer';
import { inboundConsumer } from './events/inbound.consumer';
import { ChannelRouteRepository } from './store/channel-route.repository';
import { routingMigrations } from './store/migrations';

export async function runRouting(): Promise<void> {
  const config = loadConfig(routingConfig);
  const logger = createLogger('routing', config.LOG_LEVEL);
  const db = await openDatabase(createDataSource({ url: config.DATABASE_URL, schema: 'routing', migrations: routingMigrations, poolSize: config.DB_POOL_SIZE }));
  const bus = await Bus.connect({ url: config.AMQP_URL, logger });
  const routes = new ChannelRouteRepository(db);
  const consumers = [
    await channelConfiguredConsumer(bus, db, routes).start(),
    await inboundConsumer(bus, routes, config.INBOUND_PARTITIONS).start(),
  ];
  const inboxPurge = keepInboxPurged(db, logger, config);

  const app = createHttpApp({ logger, dependencies: [postgresDependency(db), bus.dependency] });
  const server = await listen(finishHttpApp(app, logger), config.PORT);
  logger.info({ port: config.PORT }, 'routing ready');

  exitGracefully(
    logger,
    [
      stopConsuming(consumers),
      ['stop inbox purge', () => inboxPurge.stop()],
      closeHttp(server),
      closeBus(bus),
      closeDatabase(db),
    ],
    config.SHUTDOWN_TIMEOUT_MS,
  );
}
