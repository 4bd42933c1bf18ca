const CALL_TIMEOUT_MS = 20_000;

/**
 * Why a platform did not take a message. `retry`: it may take it later (5xx, timeout, 429, the link
 * dropped), after `retryAfterMs` when the platform said so. `permanent`: it never will (4xx).
 */
export class SendFailure extends Error {
  constructor(
    readonly kind: 'retry' | 'permanent',
    readonly code: string,
    readonly title: string,
    readonly retryAfterMs?: number,
  ) {
    super(`${code}: ${title}`);
    this.name = 'SendFailure';
  }
}

/**
 * What a platform's error body says, read by its adapter: a code, a title, a wait the platform
 * asked for, and `passing` where the platform marks a 4xx as worth retrying (a rate limit).
 */
export type ReadPlatformError = (status: number, body: unknown) => { code: string; title: string; retryAfterMs?: number; passing?: boolean };

/** Seconds of a `Retry-After` header, when it holds a number of seconds. */
const retryAfterHeader = (response: Response): number | undefined => {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
};

/**
 * One request to a platform's API, answering its JSON body; anything but a 2xx becomes a
 * SendFailure that says whether trying again can help.
 */
export async function callPlatform(url: string, init: RequestInit, readError: ReadPlatformError): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    throw new SendFailure('retry', timedOut ? 'timeout' : 'unreachable', timedOut ? `No answer within ${CALL_TIMEOUT_MS / 1000} s` : `${new URL(url).host} cannot be reached`);
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (response.ok) return body;
  const { code, title, retryAfterMs, passing = response.status >= 500 || response.status === 429 || response.status === 408 } = readError(response.status, body);
  throw new SendFailure(passing ? 'retry' : 'permanent', code, title, retryAfterMs ?? retryAfterHeader(response));
}
