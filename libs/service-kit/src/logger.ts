import { trace } from '@opentelemetry/api';
import pino from 'pino';

export type Logger = pino.Logger;

/**
 * An error as pino writes it, without the values of a failed query: TypeORM's QueryFailedError
 * carries them (message texts, emails, password hashes), and the query's text says enough.
 */
function errorWithoutValues(error: Error): object {
  const { parameters: _parameters, driverError, ...rest } = pino.stdSerializers.err(error) as Record<string, unknown>;
  if (driverError && typeof driverError === 'object') {
    const { parameters: _driverParameters, ...driver } = driverError as Record<string, unknown>;
    return { ...rest, driverError: driver };
  }
  return rest;
}

/** JSON logs carrying the trace id of the active span, so a log line leads to its trace. */
export function createLogger(service: string, level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name: service,
    level,
    base: { service },
    serializers: { err: errorWithoutValues },
    redact: { paths: ['req.headers.authorization', 'req.headers["x-relaydesk-identity"]', '*.password', '*.settings'], remove: true },
    mixin() {
      const span = trace.getActiveSpan();
      return span ? { traceId: span.spanContext().traceId } : {};
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
