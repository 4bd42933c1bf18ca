/** The PostgreSQL error code behind a failed query (e.g. 23505 unique violation), if any. */
export function pgCodeOf(error: unknown): string | undefined {
  const driverError = (error as { driverError?: { code?: unknown } } | null)?.driverError;
  return typeof driverError?.code === 'string' ? driverError.code : undefined;
}

export const UNIQUE_VIOLATION = '23505';
