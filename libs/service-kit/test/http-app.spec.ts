import request from 'supertest';
import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { AppError, createHttpApp, createLogger, finishHttpApp } from '../src';

const logger = createLogger('http-app-test', 'silent');

function appThrowing(error: unknown) {
  const app = createHttpApp({ logger, dependencies: [] });
  app.get('/boom', () => {
    throw error;
  });
  app.post('/echo', (req, res) => {
    res.json(req.body);
  });
  return finishHttpApp(app, logger);
}

describe('the HTTP app factory', () => {
  it('answers an AppError with its status and the API.md shape', async () => {
    const res = await request(appThrowing(new AppError('conflict', 'taken already'))).get('/boom');
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: { code: 'conflict', message: 'taken already' } });
  });

  it('answers an unreachable database or Redis with 503 and Retry-After, not 500', async () => {
    const lost = [
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('x'), { name: 'MaxRetriesPerRequestError' }),
      Object.assign(new Error('q'), { driverError: { code: '57P01' } }),
      // What a transaction meets when PostgreSQL restarts under it (seen with pg_ctlcluster restart).
      new QueryRunnerProviderAlreadyReleasedError(),
      new QueryRunnerAlreadyReleasedError(),
      new Error('Connection terminated unexpectedly'),
      new Error('Client has encountered a connection error and is not queryable'),
    ];
    for (const error of lost) {
      const res = await request(appThrowing(error)).get('/boom');
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body.error.code).toBe('unavailable');
    }
  });

  it('D33: answers anything else with 500 and no stack trace', async () => {
    const res = await request(appThrowing(new TypeError('secret internals at line 42'))).get('/boom');
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.body)).not.toMatch(/secret internals|line 42/);
  });

  it('logs no credential of a URL, nor the values of a failed query', async () => {
    const lines: Record<string, any>[] = [];
    const captured = createLogger('http-app-test', 'info', { write: (line: string) => void lines.push(JSON.parse(line)) });
    const failed = new QueryFailedError('INSERT INTO operators (email, password_hash) VALUES ($1, $2)', ['anna@example.com', '$2b$10$hash'], Object.assign(new Error('boom'), { code: 'XX000' }));
    const app = createHttpApp({ logger: captured, dependencies: [] });
    app.get('/boom', () => {
      throw failed;
    });
    const finished = finishHttpApp(app, captured);
    expect((await request(finished).get('/boom?since=1-0&token=eyJ.secret&link=signed.link')).status).toBe(500);
    const logged = JSON.stringify(lines);
    expect(logged).toContain('INSERT INTO operators');
    expect(logged).toContain('since=1-0&token=[redacted]&link=[redacted]');
    expect(logged).not.toMatch(/anna@example\.com|\$2b\$10|eyJ\.secret|signed\.link/);
  });

  it('D33: refuses bad JSON with 400, an oversize body with 413, an unknown path with 404', async () => {
    const app = appThrowing(new Error('unused'));
    expect((await request(app).post('/echo').set('content-type', 'application/json').send('{"a":')).status).toBe(400);
    expect((await request(app).post('/echo').send({ big: 'x'.repeat(300_000) })).status).toBe(413);
    const missing = await request(app).get('/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });

  it('D33: refuses JSON nested deeper than 32 levels with 400, which JSON.stringify could not write back; 32 levels pass', async () => {
    const app = appThrowing(new Error('unused'));
    const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    for (const depth of [33, 5000]) {
      const res = await request(app).post('/echo').set('content-type', 'application/json').send(nested(depth));
      expect({ depth, status: res.status, body: res.body }).toEqual({ depth, status: 400, body: { error: { code: 'validation_failed', message: 'Body is nested deeper than 32 levels' } } });
    }
    const deepest = await request(app).post('/echo').set('content-type', 'application/json').send(`{"a":${nested(31)}}`);
    expect(deepest.status).toBe(200);
  });

  it('D33: refuses a path that is not valid percent-encoding with 400', async () => {
    const app = createHttpApp({ logger, dependencies: [] });
    app.get('/items/:id', (_req, res) => {
      res.json({});
    });
    const res = await request(finishHttpApp(app, logger)).get('/items/%ZZ');
    expect(res.status).toBe(400);
  });

  it('reports readiness per dependency', async () => {
    const app = finishHttpApp(createHttpApp({ logger, dependencies: [{ name: 'postgres', check: () => Promise.reject(new Error('down')) }] }), logger);
    const res = await request(app).get('/ready');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'not_ready', failures: ['postgres: down'] });
  });

  it('on a public port, names what is down without its error, which names internal hosts', async () => {
    const down = () => Promise.reject(new Error('connect ECONNREFUSED 10.0.3.7:5432'));
    const app = finishHttpApp(createHttpApp({ logger, dependencies: [{ name: 'postgres', check: down }], readyReasons: false }), logger);
    const res = await request(app).get('/ready');
    expect({ status: res.status, body: res.body }).toEqual({ status: 503, body: { status: 'not_ready', failures: ['postgres'] } });
  });

  it('is ready, and says degraded, while only a dependency it serves requests without is down', async () => {
    const down = () => Promise.reject(new Error('down'));
    const app = finishHttpApp(createHttpApp({ logger, dependencies: [{ name: 'postgres', check: () => undefined }, { name: 'rabbitmq', check: down, optional: true }] }), logger);
    const res = await request(app).get('/ready');
    expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { status: 'ready', degraded: ['rabbitmq: down'] } });
  });
});
