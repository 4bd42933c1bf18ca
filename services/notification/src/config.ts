import { blobStoreConfig } from '@relaydesk/blob-store';
import { baseConfig } from '@relaydesk/service-kit';
import { z } from 'zod';

const milliseconds = z.coerce.number().int().positive();

export const notificationConfig = baseConfig.extend(blobStoreConfig.shape).extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8085),
  /** Where mail goes: smtp://user:pass@host:port (smtps:// for TLS from the start). */
  SMTP_URL: z.url().default('smtp://127.0.0.1:1025'),
  MAIL_FROM: z.string().min(3).default('Relaydesk <no-reply@relaydesk.local>'),
  SMTP_CONNECTION_TIMEOUT_MS: milliseconds.default(10_000),
  /** Silence on an open SMTP connection (a server stalling the DATA phase) longer than this fails the attempt. */
  SMTP_SOCKET_TIMEOUT_MS: milliseconds.default(60_000),
  /** Waits between attempts after an SMTP 4xx or a connection failure; the last one repeats until the give-up time. */
  MAIL_RETRY_DELAYS_MS: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'must be comma-separated milliseconds')
    .default('10000,30000,60000,300000,900000,1800000')
    .transform((s) => s.split(',').map(Number)),
  /** A transcript not taken by the SMTP server this long after it was requested is `failed`. */
  TRANSCRIPT_GIVE_UP_MS: milliseconds.default(24 * 60 * 60 * 1000),
  /** Files are attached while their total stays within this; the others are listed as links. */
  MAIL_ATTACHMENTS_MAX_BYTES: z.coerce.number().int().min(0).default(20 * 1024 * 1024),
  /** Where operators open Relaydesk (the gateway); links to files in a mail point there. */
  PUBLIC_APP_URL: z.url().default('http://localhost:8080'),
  /** How long the file links of a transcript mail open without logging in (D23). */
  TRANSCRIPT_LINK_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** Mails sent at once by one replica. */
  MAIL_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(2),
  /** How often an idle sender looks for due jobs (jobs queued by this replica wake it at once). */
  MAIL_POLL_MS: milliseconds.default(1_000),
});
export type NotificationConfig = z.infer<typeof notificationConfig>;
