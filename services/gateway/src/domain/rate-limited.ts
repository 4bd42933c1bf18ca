import { AppError } from '@relaydesk/service-kit';

/** `rate_limited`, telling when to try again (the Retry-After header). */
export class RateLimitedError extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    message: string,
  ) {
    super('rate_limited', `${message}; try again in ${retryAfterSeconds} s`);
  }
}
