import { uuid } from '@relaydesk/contracts';
import { createDataSource, openDatabase } from '@relaydesk/db';
import { loadConfig } from '@relaydesk/service-kit';
import { ingestionConfig } from './config';
import { channelView } from './domain/configure-channel';
import { registerTelegramWebhook } from './domain/telegram/register-webhook';
import { ChannelRepository } from './store/channel.repository';
import { ingestionMigrations } from './store/migrations';
import { SecretBox } from './store/secret-box';

/**
 * `npm run telegram:webhook -- <channelId>`: tells Telegram to deliver the channel's bot updates to
 * its webhook URL (PUBLIC_INGEST_URL) with its secret token. Run with ingestion's environment.
 */
async function main(): Promise<void> {
  const channelId = uuid.safeParse(process.argv[2]);
  if (!channelId.success) throw new Error('Usage: npm run telegram:webhook -- <channelId>');
  const config = loadConfig(ingestionConfig);
  const db = await openDatabase(createDataSource({ url: config.DATABASE_URL, schema: 'ingestion', migrations: ingestionMigrations }));
  try {
    const channel = await new ChannelRepository(db, new SecretBox(config.SECRETS_KEY, config.INTERNAL_SECRET, config.SECRETS_KEY_PREVIOUS)).byId(channelId.data);
    if (!channel || channel.type !== 'telegram') throw new Error(`No Telegram channel ${channelId.data}`);
    const registered = await registerTelegramWebhook(channel, channelView(channel, config.PUBLIC_INGEST_URL).webhookUrl);
    console.log(`${registered.description}: ${registered.webhookUrl}`);
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
