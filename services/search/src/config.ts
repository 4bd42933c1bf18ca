import { baseConfig } from '@relaydesk/service-kit';
import { z } from 'zod';

/** An unset variable and an empty one (`MEILI_URL=` in a compose file) both mean "not configured". */
const optional = <S extends z.ZodType>(schema: S) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

export const searchConfig = baseConfig.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8084),
  FEED_PARTITIONS: z.coerce.number().int().min(1).max(64).default(2),
  /** Set: the Meilisearch engine; unset: PostgreSQL full-text in the service's own schema. */
  MEILI_URL: optional(z.url()),
  MEILI_MASTER_KEY: optional(z.string()),
});
export type SearchConfig = z.infer<typeof searchConfig>;
