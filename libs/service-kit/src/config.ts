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

/** How many single-letter edits (insert, delete, replace, swap neighbours) turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const same = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + same);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * Variables set in the environment that are no setting but one edit away from one (MEILI_ULR for
 * MEILI_URL): the setting is silently left at its default otherwise. Two edits would take other
 * services' settings for typos (SMTP_URL is two from AMQP_URL).
 */
export function misspeltSettings(settings: string[], variables: string[]): string[] {
  const known = new Set(settings);
  return variables.flatMap((variable) => {
    if (known.has(variable) || variable.length < 6 || !/^[A-Z][A-Z0-9_]*$/.test(variable)) return [];
    const near = settings.find((setting) => Math.abs(setting.length - variable.length) <= 1 && editDistance(variable, setting) <= 1);
    return near ? [`${variable} is not a setting of this service: did you mean ${near}? ${near} keeps its default meanwhile.`] : [];
  });
}

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
  const shape = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
  for (const warning of misspeltSettings(shape, Object.keys(env))) process.emitWarning(warning, 'ConfigWarning');
  if (env['NODE_ENV'] === 'production') {
    for (const name of shape.filter((n) => /(SECRET|_KEY|PASSWORD)$/.test(n))) {
      if (exampleSecret.test(env[name] ?? '')) lines.push(`  ${name}: is an example value; set a secret of your own (e.g. openssl rand -hex 32)`);
    }
  }
  if (result.success && lines.length === 0) return result.data;
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}
