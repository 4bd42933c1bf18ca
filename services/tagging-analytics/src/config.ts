import { baseConfig } from '@relaydesk/service-kit';
import { z } from 'zod';

export const taggingAnalyticsConfig = baseConfig.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8086),
});
export type TaggingAnalyticsConfig = z.infer<typeof taggingAnalyticsConfig>;
