import { inboxRetentionConfig } from '@relaydesk/bus';
import { baseConfig } from '@relaydesk/service-kit';
import { z } from 'zod';

export const conversationConfig = baseConfig.extend(inboxRetentionConfig.shape).extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8083),
  INBOUND_PARTITIONS: z.coerce.number().int().min(1).max(64).default(4),
  /** How often the service checks that Redis still holds the live state, and rebuilds it if not. */
  LIVE_STATE_CHECK_MS: z.coerce.number().int().min(100).default(30_000),
});
export type ConversationConfig = z.infer<typeof conversationConfig>;
