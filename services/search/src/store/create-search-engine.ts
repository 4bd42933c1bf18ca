import type { DataSource } from 'typeorm';
import type { SearchConfig } from '../config';
import { MeiliEngine } from './meili-engine';
import { PostgresEngine } from './postgres-engine';
import type { SearchEngine } from './search-engine';

/** Meilisearch when MEILI_URL is set (its indexes are set up on first use), else PostgreSQL full-text in the service's schema. */
export function createSearchEngine(config: Pick<SearchConfig, 'MEILI_URL' | 'MEILI_MASTER_KEY'>, db: DataSource): SearchEngine {
  if (config.MEILI_URL) return new MeiliEngine({ url: config.MEILI_URL, ...(config.MEILI_MASTER_KEY ? { apiKey: config.MEILI_MASTER_KEY } : {}) });
  return new PostgresEngine(db);
}
