import { z } from 'zod';

/** Settings every service reads; a service extends this with its own. */
export const baseConfig = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/relaydesk'),
  AMQP_URL: z.url().default('amqp://guest:guest@127.0.0.1:5672'),
  REDIS_URL: z.url().default('redis://127.0.0.1:6379'),
  /** PostgreSQL connections this process may hold (its outbox relay holds one more). */
  DB_POOL_SIZE: z.coerce.number().int().min(2).max(100).default(10),
  REDIS_PREFIX: z.string().default('relaydesk:'),
  INTERNAL_SECRET: z.string().min(16, 'must be at least 16 characters'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
});
export type BaseConfig = z.infer<typeof baseConfig>;

export class ConfigError extends Error {}

/** The mark of the example secrets in docker-compose.yml and the docs, which anyone can read. */
const exampleSecret = /change-?me/i;

/**
 * Reads the environment through a zod schema; a bad value stops the start with the variable's
 * name. In production a secret that is still an example value stops it too: whoever knows it could
 * sign access tokens, gateway identities and file links.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  const lines = result.success ? [] : result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  if (env['NODE_ENV'] === 'production') {
    const shape = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
    for (const name of shape.filter((n) => /(SECRET|_KEY|PASSWORD)$/.test(n))) {
      if (exampleSecret.test(env[name] ?? '')) lines.push(`  ${name}: is an example value; set a secret of your own (e.g. openssl rand -hex 32)`);
    }
  }
  if (result.success && lines.length === 0) return result.data;
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}
