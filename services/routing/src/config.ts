import { inboxRetentionConfig } from '@relaydesk/bus';
import { baseConfig } from '@relaydesk/service-kit';
import { z } from 'zod';

export const routingConfig = baseConfig.extend(inboxRetentionConfig.shape).extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8082),
  INBOUND_PARTITIONS: z.coerce.number().int().min(1).max(64).default(4),
});
export type RoutingConfig = z.infer<typeof routingConfig>;
