import type { Redis } from 'ioredis';

export type Limit = { max: number; windowSeconds: number };

/** Seconds to wait before trying again, or undefined while under the limit. */
export type Verdict = number | undefined;

const loginLimits = {
  perAddress: { max: 30, windowSeconds: 60 },
  /** Every attempt counts until a successful login clears the count, so parallel guesses count too. */
  perEmail: { max: 10, windowSeconds: 15 * 60 },
} satisfies Record<string, Limit>;

/** Fixed-window login counters in Redis, shared by every gateway replica. */
export class LoginLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly limits = loginLimits,
  ) {}

  hitAddress(address: string): Promise<Verdict> {
    return this.hit(`login:address:${address}`, this.limits.perAddress);
  }

  hitEmail(email: string): Promise<Verdict> {
    return this.hit(`login:email:${email}`, this.limits.perEmail);
  }

  async clearEmail(email: string): Promise<void> {
    await this.redis.del(`login:email:${email}`);
  }

  /** Counts one in a window that opens with the first count. */
  private async hit(key: string, { max, windowSeconds }: Limit): Promise<Verdict> {
    const results = await this.redis.multi().set(key, 0, 'EX', windowSeconds, 'NX').incr(key).ttl(key).exec();
    const [, count, ttl] = (results ?? []).map(([error, value]) => {
      if (error) throw error;
      return Number(value);
    });
    return (count ?? 0) > max ? Math.max(ttl ?? windowSeconds, 1) : undefined;
  }
}
