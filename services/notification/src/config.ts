import { blobStoreConfig } from '@relaydesk/blob-store';
import { baseConfig } from '@relaydesk/service-kit';
import { z } from 'zod';

export const notificationConfig = baseConfig.extend(blobStoreConfig.shape).extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8085),
  /** Where mail goes: smtp://user:pass@host:port (smtps:// for TLS from the start). */
  SMTP_URL: z.url().default('smtp://127.0.0.1:1025'),
  MAIL_FROM: z.string().min(3).default('Relaydesk <no-reply@relaydesk.local>'),
});
export type NotificationConfig = z.infer<typeof notificationConfig>;
