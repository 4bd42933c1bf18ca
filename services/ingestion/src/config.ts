import { baseConfig } from '@relaydesk/service-kit';
import { z } from 'zod';

export const ingestionConfig = baseConfig.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  /** Where platforms and widgets reach ingestion from outside; used in the webhook URLs we hand out. */
  PUBLIC_INGEST_URL: z.url().default('http://127.0.0.1:8081'),
  /** Encrypts channel secrets at rest: 32 bytes as 64 hex characters. Derived from INTERNAL_SECRET when unset. */
  SECRETS_KEY: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 32 bytes as 64 hex characters').optional(),
});
export type IngestionConfig = z.infer<typeof ingestionConfig>;
