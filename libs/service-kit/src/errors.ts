import type { ErrorCode } from '@relaydesk/contracts';
import type { z } from 'zod';

export type ErrorDetail = { path: string; message: string };

/** The one error type of the project: its code decides the HTTP status, or DLQ vs retry on the bus. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const httpStatusOf: Record<ErrorCode, number> = {
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  unprocessable: 422,
  payload_too_large: 413,
  unsupported_media_type: 415,
  upgrade_required: 426,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

export function detailsOf(error: z.ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message:
      issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
  }));
}

/** Parses with a zod schema or throws a validation error naming every bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what = 'request'): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  // Express leaves the body undefined when it was not sent as JSON.
  if (input === undefined) throw new AppError('validation_failed', `Invalid ${what}: none arrived; send it as JSON with Content-Type: application/json`, [{ path: '(root)', message: 'missing' }]);
  const details = detailsOf(result.error);
  const summary = details.map((d) => `${d.path}: ${d.message}`).join('; ');
  throw new AppError('validation_failed', `Invalid ${what}: ${summary}`, details);
}
