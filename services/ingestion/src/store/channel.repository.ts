import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { ChannelType } from '@relaydesk/contracts';
import type { Tx } from '@relaydesk/db';
import type { SecretBox } from './secret-box';

/** `enabled` false: a super_admin switched the channel off; it takes and sends nothing. */
export type Channel = { id: string; type: ChannelType; name: string; groupId: string; settings: Record<string, unknown>; enabled: boolean };

const CACHE_MS = 5_000;

/** The LISTEN/NOTIFY channel on which a committed channel change reaches every replica (payload: the channel's id). */
export const CHANNEL_SIGNAL = 'ingestion_channel_changed';
const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

type Raw = { id: string; type: ChannelType; name: string; group_id: string; settings: Record<string, unknown>; enabled: boolean };

/** The settings that are secrets: write-only over the API, encrypted at rest. */
export const secretFields: Record<ChannelType, string[]> = {
  whatsapp: ['accessToken', 'appSecret', 'verifyToken'],
  telegram: ['botToken', 'secretToken'],
  webchat: [],
  api: ['apiKey'],
};

/** Channels with their secrets. Webhook lookups are cached briefly; a change clears the cache of every replica that listens (`WebchatSignals`). */
export class ChannelRepository {
  private readonly cache = new Map<string, { channel: Channel | undefined; until: number }>();

  constructor(
    private readonly db: DataSource,
    private readonly secrets: SecretBox,
  ) {}

  async save(tx: Tx, c: Channel): Promise<void> {
    const apiKey = c.type === 'api' ? hashApiKey(String(c.settings['apiKey'])) : null;
    await tx.query(
      `INSERT INTO channel (id, type, name, group_id, settings, api_key_hash, enabled) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, group_id = EXCLUDED.group_id, settings = EXCLUDED.settings,
         api_key_hash = EXCLUDED.api_key_hash, enabled = EXCLUDED.enabled, updated_at = now()`,
      [c.id, c.type, c.name, c.groupId, JSON.stringify(this.mapSecrets(c, (v) => this.secrets.seal(v))), apiKey, c.enabled],
    );
    await tx.query('SELECT pg_notify($1, $2)', [CHANNEL_SIGNAL, c.id]);
    this.forget();
  }

  /** Drops what this replica cached, after a change here or on another replica. */
  forget(): void {
    this.cache.clear();
  }

  async all(): Promise<Channel[]> {
    return (await this.db.query<Raw[]>('SELECT * FROM channel ORDER BY created_at')).map((r) => this.toChannel(r));
  }

  /**
   * Seals again with the current key the secrets of channels stored in clear (before encryption) or
   * sealed with an earlier key; answers how many channels it changed. Each is read under lock, so
   * a change of the channel meanwhile is not undone.
   */
  async resealStaleSecrets(): Promise<number> {
    const stale = (r: Raw) => secretFields[r.type].some((k) => typeof r.settings[k] === 'string' && this.secrets.isStale(r.settings[k]));
    const ids = (await this.db.query<Raw[]>('SELECT * FROM channel')).filter(stale).map((r) => r.id);
    for (const id of ids) {
      await this.db.transaction(async (tx) => {
        const channel = await this.lockedById(tx, id);
        if (channel) await this.save(tx, channel);
      });
    }
    return ids.length;
  }

  /** The stored channel, locked until `tx` ends: a change reads what it changes, never a cached copy. */
  async lockedById(tx: Tx, id: string): Promise<Channel | undefined> {
    const [row] = await tx.query<Raw[]>('SELECT * FROM channel WHERE id = $1 FOR UPDATE', [id]);
    return row && this.toChannel(row);
  }

  byId(id: string): Promise<Channel | undefined> {
    return this.cached(`id:${id}`, 'SELECT * FROM channel WHERE id = $1', id);
  }

  byApiKey(apiKey: string): Promise<Channel | undefined> {
    return this.cached(`key:${hashApiKey(apiKey)}`, `SELECT * FROM channel WHERE api_key_hash = $1 AND type = 'api'`, hashApiKey(apiKey));
  }

  private async cached(key: string, sql: string, param: string): Promise<Channel | undefined> {
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now()) return hit.channel;
    const [row] = await this.db.query<Raw[]>(sql, [param]);
    const channel = row && this.toChannel(row);
    if (this.cache.size > 10_000) this.cache.clear(); // unknown keys are cached too: keep it bounded
    this.cache.set(key, { channel, until: Date.now() + CACHE_MS });
    return channel;
  }

  private toChannel(r: Raw): Channel {
    const stored = { id: r.id, type: r.type, name: r.name, groupId: r.group_id, settings: r.settings, enabled: r.enabled };
    return { ...stored, settings: this.mapSecrets(stored, (v) => this.secrets.open(v)) };
  }

  private mapSecrets(c: Channel, change: (value: string) => string): Record<string, unknown> {
    return Object.fromEntries(Object.entries(c.settings).map(([k, v]) => [k, secretFields[c.type].includes(k) && typeof v === 'string' ? change(v) : v]));
  }
}
