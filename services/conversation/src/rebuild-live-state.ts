import { createDataSource, openDatabase } from '@relaydesk/db';
import { LiveState } from '@relaydesk/live';
import { createLogger, loadConfig } from '@relaydesk/service-kit';
import { Redis } from 'ioredis';
import { conversationConfig } from './config';
import { rebuildLiveState } from './domain/rebuild-live-state';
import { conversationMigrations } from './store/migrations';

/** `npm run live:rebuild`: the D14 counters and live state, recomputed from PostgreSQL. */
async function main(): Promise<void> {
  const config = loadConfig(conversationConfig);
  const logger = createLogger('live-rebuild', config.LOG_LEVEL);
  const db = await openDatabase(createDataSource({ url: config.DATABASE_URL, schema: 'conversation', migrations: conversationMigrations }));
  const redis = new Redis(config.REDIS_URL);
  try {
    const started = Date.now();
    const count = await rebuildLiveState(db, new LiveState(redis, { prefix: config.REDIS_PREFIX }));
    logger.info({ conversations: count, ms: Date.now() - started }, 'live state rebuilt from the database');
  } finally {
    await redis.quit();
    await db.destroy();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
