import type { Redis } from 'ioredis';
import { FixedWindows, type Limit, type Verdict } from '@relaydesk/service-kit';

/**
 * Every attempt for an email counts until a successful login clears the count, so parallel guesses
 * count too. They count per address first: a stranger's wrong passwords do not lock the operator
 * out from his own address. The higher count over all addresses bounds guessing spread over many.
 */
const loginLimits = {
  perAddress: { max: 30, windowSeconds: 60 },
  perEmailFromAddress: { max: 10, windowSeconds: 15 * 60 },
  perEmail: { max: 100, windowSeconds: 15 * 60 },
} satisfies Record<string, Limit>;

const emailKeys = (email: string, address: string): [string, string] => [`login:email:${email}:from:${address}`, `login:email:${email}`];

/** Login counters in Redis, shared by every gateway replica. */
export class LoginLimiter {
  private readonly windows: FixedWindows;

  constructor(redis: Redis) {
    this.windows = new FixedWindows(redis);
  }

  hitAddress(address: string): Promise<Verdict> {
    return this.windows.hit(`login:address:${address}`, loginLimits.perAddress);
  }

  /** An attempt for `email` from `address`: the longer wait of its two counts, or undefined under both. */
  hitEmail(email: string, address: string): Promise<Verdict> {
    const [fromAddress, anywhere] = emailKeys(email, address);
    return this.windows.hitAll([
      [fromAddress, loginLimits.perEmailFromAddress],
      [anywhere, loginLimits.perEmail],
    ]);
  }

  clearEmail(email: string, address: string): Promise<void> {
    return this.windows.clear(...emailKeys(email, address));
  }
}
