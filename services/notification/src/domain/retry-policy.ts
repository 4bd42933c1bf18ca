export type SendFailure = { permanent: boolean; reason: string };

type SmtpError = { code?: unknown; responseCode?: unknown; response?: unknown; message?: unknown };

/**
 * An SMTP 5xx is the server's final answer, and so is nodemailer's refusal of the envelope before
 * any server saw it; a 4xx, a timeout or a connection that failed may pass later. The reason is
 * the server's own words when it gave some.
 */
export function classifySendError(error: unknown): SendFailure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SmtpError;
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const reason = typeof e.response === 'string' && e.response ? e.response : typeof e.message === 'string' ? e.message : String(error);
  if (code === undefined) return { permanent: e.code === 'EENVELOPE', reason };
  return { permanent: code >= 500 && code < 600, reason };
}

export type RetryPolicy = { delaysMs: number[]; giveUpMs: number };

/** The wait after the `attempt`-th failed attempt (1-based): the schedule, then its last step again and again. */
export function retryDelayMs(attempt: number, delaysMs: number[]): number {
  return delaysMs[Math.min(Math.max(attempt, 1), delaysMs.length) - 1] ?? 0;
}

export type AfterFailure = { retryAt: Date } | { failed: string };

/**
 * Retries a passing failure until the give-up time (one last attempt at that time), fails a
 * permanent one at once.
 */
export function decideAfterFailure(failure: SendFailure, job: { attempts: number; requestedAt: Date }, policy: RetryPolicy, now: Date): AfterFailure {
  if (failure.permanent) return { failed: `The mail server refused the mail: ${failure.reason}` };
  const giveUpAt = job.requestedAt.getTime() + policy.giveUpMs;
  if (now.getTime() >= giveUpAt) return { failed: `The mail server did not take the mail within ${describeDuration(policy.giveUpMs)} (${job.attempts} attempts); last error: ${failure.reason}` };
  return { retryAt: new Date(Math.min(now.getTime() + retryDelayMs(job.attempts, policy.delaysMs), giveUpAt)) };
}

function describeDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
