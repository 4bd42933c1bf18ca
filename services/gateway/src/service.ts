import { createBlobStore } from '@relaydesk/blob-store';
import { createDataSource, openDatabase, postgresDependency } from '@relaydesk/db';
import { closeDatabase, closeHttp, closeRedis, createLogger, exitGracefully, listen, loadConfig } from '@relaydesk/service-kit';
import { LiveState } from '@relaydesk/live';
import { Redis } from 'ioredis';
import { AccessTokens } from './auth/access-tokens';
import { LoginLimiter } from './auth/login-limiter';
import { Passwords } from './auth/passwords';
import { gatewayConfig } from './config';
import { ensureAdmin } from './domain/ensure-admin';
import { sweepUnansweredUploads } from './domain/sweep-unanswered-uploads';
import { buildGatewayApp } from './http/app';
import { ServiceClient } from './http/service-client';
import { Directory } from './store/directory';
import { GroupRepository } from './store/group.repository';
import { gatewayMigrations } from './store/migrations';
import { OperatorRepository } from './store/operator.repository';
import { PendingUploads } from './store/pending-uploads';
import { PresenceStore } from './store/presence';
import { OperatorStream } from './http/stream';

export async function runGateway(): Promise<void> {
  const config = loadConfig(gatewayConfig);
  const logger = createLogger('gateway', config.LOG_LEVEL);
  const db = await openDatabase(createDataSource({ url: config.DATABASE_URL, schema: 'gateway', migrations: gatewayMigrations, poolSize: config.DB_POOL_SIZE }));
  const redis = new Redis(config.REDIS_URL, { keyPrefix: config.REDIS_PREFIX, maxRetriesPerRequest: 2 });
  // The live state's scripts name their keys themselves, so this client carries no prefix.
  const liveRedis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 });
  const live = new LiveState(liveRedis, { prefix: config.REDIS_PREFIX });
  const presence = new PresenceStore(liveRedis, config.REDIS_PREFIX, config.PRESENCE_TTL_MS);
  const operators = new OperatorRepository(db);
  const groups = new GroupRepository(db);
  const directory = new Directory(db);
  const tokens = new AccessTokens(config.JWT_SECRET, config.ACCESS_TOKEN_TTL);
  const passwords = new Passwords(config.BCRYPT_ROUNDS);
  const blobs = await createBlobStore(config);
  const pendingUploads = new PendingUploads(db);
  const conversation = new ServiceClient('conversation', config.CONVERSATION_URL, config.INTERNAL_SECRET);

  const { ADMIN_EMAIL: email, ADMIN_PASSWORD: password } = config;
  if (email && password) {
    const created = await ensureAdmin({ operators, passwords }, { email, password });
    logger.info({ email }, created ? 'created the super_admin of ADMIN_EMAIL' : 'the operator of ADMIN_EMAIL exists: left as it is');
  } else if (email || password) {
    logger.warn('ADMIN_EMAIL and ADMIN_PASSWORD go together: no super_admin ensured');
  }

  const app = buildGatewayApp({
    config,
    logger,
    dependencies: [postgresDependency(db), { name: 'redis', check: () => redis.ping() }, { name: 'blob store', check: () => blobs.check(), optional: true }],
    operators,
    groups,
    directory,
    passwords,
    tokens,
    limiter: new LoginLimiter(redis),
    conversation,
    ingestion: new ServiceClient('ingestion', config.INGESTION_URL, config.INTERNAL_SECRET),
    search: new ServiceClient('search', config.SEARCH_URL, config.INTERNAL_SECRET),
    analytics: new ServiceClient('tagging-analytics', config.ANALYTICS_URL, config.INTERNAL_SECRET),
    blobs,
    pendingUploads,
    live,
    presence,
  });
  const server = await listen(app, config.PORT);
  const stream = await new OperatorStream({ logger, tokens, operators, groups, directory, live, presence }).start(server);
  logger.info({ port: config.PORT }, 'gateway ready');
  const sweep = setInterval(() => {
    sweepUnansweredUploads({ pending: pendingUploads, blobs, conversation }, config.UPLOAD_SWEEP_AFTER * 1000).then(
      (outcome) => outcome.deleted + outcome.held > 0 && logger.info(outcome, 'swept uploads whose send never answered'),
      (error: unknown) => logger.warn({ err: error }, 'upload sweep failed; the next one tries again'),
    );
  }, config.UPLOAD_SWEEP_INTERVAL * 1000);

  exitGracefully(
    logger,
    [
      ['close streams', () => stream.stop()],
      ['stop the upload sweep', () => Promise.resolve(clearInterval(sweep))],
      closeHttp(server),
      closeRedis(redis, liveRedis),
      closeDatabase(db),
    ],
    config.SHUTDOWN_TIMEOUT_MS,
  );
}
