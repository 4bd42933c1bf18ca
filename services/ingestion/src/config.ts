import { baseConfig } from '@relaydesk/service-kit';
import { z } from 'zod';

export const ingestionConfig = baseConfig.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  /** Where platforms and widgets reach ingestion from outside; used in the webhook URLs we hand out. */
  PUBLIC_INGEST_URL: z.url().default('http://127.0.0.1:8081'),
});
export type IngestionConfig = z.infer<typeof ingestionConfig>;
