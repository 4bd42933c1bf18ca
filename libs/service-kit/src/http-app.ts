import { isUtf8 } from 'node:buffer';
import { createServer, type Server } from 'node:http';
import { metrics } from '@opentelemetry/api';
import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler, type Response } from 'express';
import { IDENTITY_HEADER, type CallerIdentity } from '@relaydesk/contracts';
import { AppError, httpStatusOf } from './errors';
import { verifyIdentity } from './identity';
import { RateLimitedError } from './rate-limit';
import type { Logger } from './logger';

/**
 * Something a service needs to do its work; `check` throws while it is unreachable. An `optional`
 * one the service answers its requests without (the outbox holds its events, a file store serves
 * attachments only): its loss makes /ready say `degraded`, not 503, so a shared dependency's outage
 * does not take every replica out of its load balancer at once.
 */
export type Dependency = { name: string; check: () => Promise<unknown> | void; optional?: boolean };

export type HttpAppOptions = {
  logger: Logger;
  /** GET /ready answers 503 while any of these fails, save the optional ones. */
  dependencies: Dependency[];
  bodyLimit?: string;
  /**
   * Whether /ready says why a dependency failed. A public port answers names only (its errors
   * name internal hosts); the reasons then go to the log.
   */
  readyReasons?: boolean;
};

/** An express app with logs, request metrics, body limits, /health and /ready; add routes, then call `finishHttpApp`. */
export function createHttpApp({ logger, dependencies, bodyLimit = '256kb', readyReasons = true }: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag'); // answers change with every event; hashing each body cost a tenth of ingestion's time
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', async (_req, res) => {
    const failures: string[] = [];
    const degraded: string[] = [];
    for (const d of dependencies) {
      try {
        await d.check();
      } catch (error) {
        if (!readyReasons) logger.warn({ err: error, dependency: d.name }, 'not ready');
        (d.optional ? degraded : failures).push(readyReasons ? `${d.name}: ${(error as Error).message}` : d.name);
      }
    }
    if (failures.length > 0) res.status(503).json({ status: 'not_ready', failures, ...(degraded.length > 0 ? { degraded } : {}) });
    else res.json({ status: 'ready', ...(degraded.length > 0 ? { degraded } : {}) });
  });
  app.use(observeRequests(logger));
  app.use(express.json({ limit: bodyLimit, type: ['application/json', 'application/*+json'], verify: keepRawBody }));
  app.use(refuseDeepJson);
  return app;
}

/** No contract nests JSON past a few levels, and JSON.stringify overflows the stack near 5,000. */
const MAX_JSON_DEPTH = 32;

const refuseDeepJson: RequestHandler = (req, _res, next) => {
  const pending: [unknown, number][] = [[req.body, 1]];
  for (let item = pending.pop(); item; item = pending.pop()) {
    const [value, depth] = item;
    if (value === null || typeof value !== 'object') continue;
    if (depth > MAX_JSON_DEPTH) throw new AppError('validation_failed', `Body is nested deeper than ${MAX_JSON_DEPTH} levels`);
    for (const child of Object.values(value)) pending.push([child, depth + 1]);
  }
  next();
};

const rawBodies = new WeakMap<object, Buffer>();
const keepRawBody = (req: object, _res: unknown, bytes: Buffer): void => {
  // Else the decoder would put U+FFFD for the bad bytes and store text nobody sent.
  if (!isUtf8(bytes)) throw new AppError('validation_failed', 'The body is not valid UTF-8');
  rawBodies.set(req, bytes);
};

/** A JSON body's bytes as received: what a platform's webhook signature is computed over. */
export const rawBodyOf = (req: Request): Buffer | undefined => rawBodies.get(req);

/** Query parameters that carry a credential: a stream's `token`, a signed file `link`. */
const secretParams = /([?&](?:token|link)=)[^&#]*/gi;

/**
 * Logs each answer (errors at info and above, the rest at debug) and records its duration by
 * method, route template (`/conversations/:id`, none when no route matched) and status.
 */
function observeRequests(logger: Logger): RequestHandler {
  const durations = metrics.getMeter('@relaydesk/service-kit').createHistogram('http.server.request.duration', {
    unit: 's',
    description: 'From the arrival of a request to the end of its answer',
    advice: { explicitBucketBoundaries: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] },
  });
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const status = res.statusCode;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const route = (req.route as { path?: unknown } | undefined)?.path;
      durations.record(ms / 1000, {
        'http.request.method': req.method,
        'http.response.status_code': status,
        ...(typeof route === 'string' ? { 'http.route': route } : {}),
      });
      const level = status >= 500 ? 'error' : status >= 400 ? 'info' : 'debug';
      if (logger.isLevelEnabled(level)) logger[level]({ method: req.method, url: req.originalUrl.replace(secretParams, '$1[redacted]'), status, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    next();
  };
}

/** Errors without a code that pg and TypeORM raise when PostgreSQL drops a connection (a restart, a failover). */
const lostConnection = ['MaxRetriesPerRequestError', 'QueryRunnerAlreadyReleasedError', 'QueryRunnerProviderAlreadyReleasedError'];
const lostConnectionMessage = /^(Connection terminated|Client has encountered a connection error)/;

/** PostgreSQL or Redis out of reach: the request may succeed later, so 503, not 500. */
function isDependencyDown(error: unknown): boolean {
  const { code, name, message, driverError } = error as { code?: string; name?: string; message?: unknown; driverError?: { code?: string } };
  const codes = [code, driverError?.code].filter((c): c is string => typeof c === 'string');
  return (
    lostConnection.includes(name ?? '') ||
    (typeof message === 'string' && lostConnectionMessage.test(message)) ||
    codes.some((c) => ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03'].includes(c) || c.startsWith('08'))
  );
}

const bodyParserErrors: Record<string, [number, string]> = {
  'entity.too.large': [413, 'payload_too_large'],
  'entity.parse.failed': [400, 'validation_failed'],
  'encoding.unsupported': [415, 'unsupported_media_type'],
  'charset.unsupported': [415, 'unsupported_media_type'],
  'entity.verify.failed': [401, 'unauthorized'],
};

function errorResponse(res: Response, status: number, code: string, message: string, details?: unknown): void {
  res.status(status).json({ error: { code, message, ...(details ? { details } : {}) } });
}

/** Ends the app: 404 for unknown paths, and every error in the API.md shape, never a stack trace. */
export function finishHttpApp(app: Express, logger: Logger): Express {
  app.use((req, res) => {
    errorResponse(res, 404, 'not_found', `No route for ${req.method} ${req.path}`);
  });
  const onError: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
    if (error instanceof AppError) {
      if (error.code === 'unavailable') res.setHeader('Retry-After', '5');
      if (error instanceof RateLimitedError) res.setHeader('Retry-After', String(error.retryAfterSeconds));
      errorResponse(res, httpStatusOf[error.code], error.code, error.message, error.details);
      return;
    }
    const { type, status } = error as { type?: string; status?: number };
    const known = type ? bodyParserErrors[type] : undefined;
    if (known) {
      const message = type === 'entity.parse.failed' ? 'Body is not valid JSON, or not an object or array' : (error as Error).message;
      errorResponse(res, known[0], known[1], message);
      return;
    }
    if (error instanceof URIError || status === 400) {
      errorResponse(res, 400, 'validation_failed', 'The path is not valid percent-encoding');
      return;
    }
    if (isDependencyDown(error)) {
      logger.warn({ err: error }, 'a dependency is unreachable');
      res.setHeader('Retry-After', '5');
      errorResponse(res, 503, 'unavailable', 'A service we depend on is unreachable; try again shortly');
      return;
    }
    logger.error({ err: error }, 'unhandled error in request');
    errorResponse(res, 500, 'internal', 'Something went wrong on our side; it has been logged');
  };
  app.use(onError);
  return app;
}

/** Accepts only requests that carry the gateway's signed identity header. */
export function requireIdentity(secret: string): RequestHandler {
  return (req, res, next) => {
    res.locals['identity'] = verifyIdentity(req.header(IDENTITY_HEADER), secret, { method: req.method, path: req.originalUrl });
    next();
  };
}

export function identityOf(res: Response): CallerIdentity {
  const identity = res.locals['identity'] as CallerIdentity | undefined;
  if (!identity) throw new AppError('unauthorized', 'No identity on this request');
  return identity;
}

/**
 * Node's default backlog of 511 pending connections overflows when many clients connect at once (a
 * reconnect storm after a deploy; 1,000 takes in the race test), and the kernel then resets some.
 */
const LISTEN_BACKLOG = 4096;

export function listen(app: Express, port: number, host = '0.0.0.0'): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(app);
    server.once('error', reject);
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => resolve(server));
  });
}

/** Stops accepting connections and resolves when in-flight requests have been answered. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
