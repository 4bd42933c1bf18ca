import { blobStoreConfig } from '@relaydesk/blob-store';
import { inboxRetentionConfig } from '@relaydesk/bus';
import { baseConfig, trustProxySetting } from '@relaydesk/service-kit';
import { z } from 'zod';

const secretsKey = z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 32 bytes as 64 hex characters');

export const ingestionConfig = baseConfig.extend(blobStoreConfig.shape).extend(inboxRetentionConfig.shape).extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  /** Where platforms and widgets reach ingestion from outside; used in the webhook URLs we hand out. */
  PUBLIC_INGEST_URL: z.url().default('http://127.0.0.1:8081'),
  /** Waits before each redelivery of an operator message a platform did not take; one more attempt than waits, then `failed`. */
  OUTBOUND_RETRY_DELAYS_MS: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'must be comma-separated milliseconds')
    .default('5000,30000,120000')
    .transform((s) => s.split(',').map(Number)),
  /** Behind a proxy or ingress: whose X-Forwarded-For tells the visitor's address, which the webchat limits count by. */
  TRUST_PROXY: trustProxySetting,
  /** Encrypts channel secrets at rest: 32 bytes as 64 hex characters. Derived from INTERNAL_SECRET when unset. */
  SECRETS_KEY: secretsKey.optional(),
  /** Earlier SECRETS_KEYs, comma-separated: secrets sealed with them open, and are sealed again with SECRETS_KEY at start. */
  SECRETS_KEY_PREVIOUS: z
    .string()
    .default('')
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(secretsKey)),
});
export type IngestionConfig = z.infer<typeof ingestionConfig>;
