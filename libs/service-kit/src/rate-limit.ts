import type { Redis } from 'ioredis';
import { z } from 'zod';
import { AppError } from './errors';

export type Limit = { max: number; windowSeconds: number };

/** Seconds to wait before trying again, or undefined while under the limit. */
export type Verdict = number | undefined;

/** `rate_limited`, telling when to try again (finishHttpApp sends it as Retry-After). */
export class RateLimitedError extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    message: string,
  ) {
    super('rate_limited', `${message}; try again in ${retryAfterSeconds} s`);
  }
}

/** Fixed-window counters in Redis, shared by every replica: a window opens with its first count. */
export class FixedWindows {
  constructor(private readonly redis: Redis) {}

  async hit(key: string, { max, windowSeconds }: Limit): Promise<Verdict> {
    const results = await this.redis.multi().set(key, 0, 'EX', windowSeconds, 'NX').incr(key).ttl(key).exec();
    const [, count, ttl] = (results ?? []).map(([error, value]) => {
      if (error) throw error;
      return Number(value);
    });
    return (count ?? 0) > max ? Math.max(ttl ?? windowSeconds, 1) : undefined;
  }

  /** Counts one in each window; the longest wait of those over their limit. */
  async hitAll(windows: [key: string, limit: Limit][]): Promise<Verdict> {
    const waits = await Promise.all(windows.map(([key, limit]) => this.hit(key, limit)));
    const longest = Math.max(0, ...waits.map((w) => w ?? 0));
    return longest > 0 ? longest : undefined;
  }

  async clear(...keys: string[]): Promise<void> {
    await this.redis.del(...keys);
  }
}

/**
 * Express `trust proxy` for a public port: which hops may tell the client address in
 * X-Forwarded-For, the address rate limits count by. `false` (direct), `true`, a hop count, or
 * addresses/`loopback`.
 */
export const trustProxySetting = z
  .string()
  .default('false')
  .transform((v): boolean | number | string => (v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v));
