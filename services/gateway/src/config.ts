import { blobStoreConfig } from '@relaydesk/blob-store';
import { baseConfig, trustProxySetting } from '@relaydesk/service-kit';
import { z } from 'zod';

const secondsPerUnit = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** `90`, `30s`, `15m`, `12h`, `7d` → seconds. */
const duration = z
  .string()
  .regex(/^\d+[smhd]?$/, 'must be a number of seconds or like 30s, 15m, 12h, 7d')
  .transform((v) => {
    const unit = v.at(-1) as keyof typeof secondsPerUnit | undefined;
    return unit && unit in secondsPerUnit ? Number(v.slice(0, -1)) * secondsPerUnit[unit] : Number(v);
  })
  .refine((seconds) => seconds > 0, 'must be longer than 0 seconds');

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

export const gatewayConfig = baseConfig.extend(blobStoreConfig.shape).extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  JWT_SECRET: z.string().min(16, 'must be at least 16 characters'),
  ACCESS_TOKEN_TTL: duration.prefault('12h'),
  ADMIN_EMAIL: z.email().transform((e) => e.toLowerCase()).optional(),
  ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  BCRYPT_ROUNDS: z.coerce.number().int().min(4).max(15).default(10),
  CONVERSATION_URL: z.url().default('http://127.0.0.1:8083'),
  INGESTION_URL: z.url().default('http://127.0.0.1:8081'),
  SEARCH_URL: z.url().default('http://127.0.0.1:8084'),
  ANALYTICS_URL: z.url().default('http://127.0.0.1:8086'),
  /** The operator web app's built files (`npm run build:ui`), served at `/`. */
  UI_DIR: z.string().min(1).default('services/operator-ui/dist'),
  FEATURE_OUTGOING_WHATSAPP: flag.default(false),
  /** ADR 8: how often the gateway looks for uploads whose send never answered, and how old they must be. */
  UPLOAD_SWEEP_INTERVAL: duration.prefault('10m'),
  UPLOAD_SWEEP_AFTER: duration.prefault('1h'),
  /** An operator counts as offline this long after his last WebSocket heartbeat. */
  PRESENCE_TTL_MS: z.coerce.number().int().min(1_000).default(45_000),
  TRUST_PROXY: trustProxySetting,
});
export type GatewayConfig = z.infer<typeof gatewayConfig>;
