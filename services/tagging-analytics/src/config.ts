import { baseConfig } from '@relaydesk/service-kit';
import { z } from 'zod';

export const taggingAnalyticsConfig = baseConfig.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8086),
  DB_POOL_SIZE: z.coerce.number().int().min(2).max(100).default(10),
});
export type TaggingAnalyticsConfig = z.infer<typeof taggingAnalyticsConfig>;
