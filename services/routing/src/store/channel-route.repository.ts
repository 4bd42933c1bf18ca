import type { DataSource } from 'typeorm';
import type { ChannelType } from '@relaydesk/contracts';
import type { Tx } from '@relaydesk/db';
import type { ChannelRoute } from '../domain/route-message';

const CACHE_MS = 10_000;

/**
 * Routing's read model of channels, kept from `channel.configured`. Lookups are cached for a few
 * seconds, so a group change made through another replica is seen here within CACHE_MS.
 */
export class ChannelRouteRepository {
  private readonly cache = new Map<string, { route: ChannelRoute; until: number }>();

  constructor(private readonly db: DataSource) {}

  async save(tx: Tx, route: ChannelRoute): Promise<void> {
    await tx.query(
      `INSERT INTO channel_route (channel_id, group_id, channel_type) VALUES ($1, $2, $3)
       ON CONFLICT (channel_id) DO UPDATE SET group_id = EXCLUDED.group_id, channel_type = EXCLUDED.channel_type, updated_at = now()`,
      [route.channelId, route.groupId, route.type],
    );
    this.cache.delete(route.channelId);
  }

  async find(channelIds: string[]): Promise<Map<string, ChannelRoute>> {
    const now = Date.now();
    const found = new Map<string, ChannelRoute>();
    const missing: string[] = [];
    for (const id of new Set(channelIds)) {
      const hit = this.cache.get(id);
      if (hit && hit.until > now) found.set(id, hit.route);
      else missing.push(id);
    }
    if (missing.length > 0) {
      const rows: { channel_id: string; group_id: string; channel_type: ChannelType | null }[] = await this.db.query(
        'SELECT channel_id, group_id, channel_type FROM channel_route WHERE channel_id = ANY($1::uuid[])',
        [missing],
      );
      for (const r of rows) {
        const route = { channelId: r.channel_id, groupId: r.group_id, type: r.channel_type ?? undefined };
        this.cache.set(route.channelId, { route, until: now + CACHE_MS });
        found.set(route.channelId, route);
      }
    }
    return found;
  }
}
