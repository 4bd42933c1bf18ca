import type { DataSource } from 'typeorm';

/**
 * Blobs of uploads whose send has not said yet whether a message holds them (ADR 8). A row goes
 * when the answer settles it; one whose answer never came (a 5xx, a timeout, a crash) waits for
 * the sweep, which asks the conversation service.
 */
export class PendingUploads {
  constructor(private readonly db: DataSource) {}

  async add(storageKey: string): Promise<void> {
    await this.db.query('INSERT INTO pending_upload (storage_key) VALUES ($1)', [storageKey]);
  }

  async settle(storageKey: string): Promise<void> {
    await this.db.query('DELETE FROM pending_upload WHERE storage_key = $1', [storageKey]);
  }

  /**
   * Hands up to `limit` keys pending longer than `olderThanMs` to `handle`, then forgets them; a
   * failing `handle` keeps them for the next sweep. Other replicas skip the keys one is handling.
   */
  sweep(olderThanMs: number, limit: number, handle: (storageKeys: string[]) => Promise<void>): Promise<number> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<{ storage_key: string }[]>(
        `SELECT storage_key FROM pending_upload WHERE created_at < now() - make_interval(secs => $1)
         ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [olderThanMs / 1000, limit],
      );
      const keys = rows.map((r) => r.storage_key);
      if (keys.length === 0) return 0;
      await handle(keys);
      await tx.query('DELETE FROM pending_upload WHERE storage_key = ANY($1::text[])', [keys]);
      return keys.length;
    });
  }
}
