import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { purgeInbox } from '@relaydesk/db';
import type { Logger } from '@relaydesk/service-kit';

/** How long a service with an inbox (handleOnceInTransaction) remembers the ids it handled. */
export const inboxRetentionConfig = z.object({
  INBOX_RETENTION_DAYS: z.coerce.number().int().min(1).default(7),
  INBOX_PURGE_EVERY_MS: z.coerce.number().int().min(100).default(3_600_000),
});
export type InboxRetentionConfig = z.infer<typeof inboxRetentionConfig>;

/**
 * Purges the inbox of ids older than the retention at start and then every INBOX_PURGE_EVERY_MS, so
 * it holds days of traffic instead of all of it. Replicas may purge at once: a row goes once.
 */
export function keepInboxPurged(db: DataSource, logger: Logger, config: InboxRetentionConfig): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const purge = () => {
    running ??= purgeInbox(db, config.INBOX_RETENTION_DAYS)
      .then((purged) => {
        if (purged > 0) logger.info({ purged, retentionDays: config.INBOX_RETENTION_DAYS }, 'inbox: forgot handled message ids past the retention');
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'inbox: could not purge; trying again later'))
      .finally(() => (running = undefined));
  };
  purge();
  const timer = setInterval(purge, config.INBOX_PURGE_EVERY_MS).unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
