import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startService, type RunningService, type ServiceName } from '@relaydesk/testing';
import { startDemoPlatforms, type DemoPlatforms } from './demo-platforms';
import { demoPassword, demoPeople, seedDemo } from './demo-seed';
import { startMailCatcher, type MailCatcher } from './mail-catcher';

const root = join(__dirname, '..');
const ports: Record<ServiceName, number> = { gateway: 8080, ingestion: 8081, routing: 8082, conversation: 8083, search: 8084, notification: 8085, 'tagging-analytics': 8086 };
/** Each service's GET /metrics, 1000 above its own port. */
const metricsPortOf = (name: ServiceName) => ports[name] + 1000;
const platformPorts = { whatsapp: 8090, telegram: 8091 };
const mailPorts = { smtpPort: 1025, httpPort: 8025 };
const admin = { email: process.env['ADMIN_EMAIL'] ?? 'admin@relaydesk.local', password: process.env['ADMIN_PASSWORD'] ?? 'relaydesk-admin' };

/** Secrets made once per checkout and kept in .data/, so tokens survive a restart. */
function localSecrets(): Record<string, string> {
  const file = join(root, '.data', 'local-secrets.json');
  if (!existsSync(file)) {
    mkdirSync(join(root, '.data'), { recursive: true });
    writeFileSync(file, JSON.stringify({ INTERNAL_SECRET: randomBytes(24).toString('hex'), JWT_SECRET: randomBytes(24).toString('hex') }));
  }
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
}

const colours: Record<ServiceName, string> = { gateway: '36', ingestion: '35', routing: '33', conversation: '32', search: '34', notification: '94', 'tagging-analytics': '95' };
function printer(name: ServiceName): (line: string) => void {
  const tag = `\x1b[${colours[name]}m${name.padEnd(17)}\x1b[0m`;
  return (line) => {
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
      const level = entry.level && entry.level >= 50 ? 'ERROR ' : entry.level && entry.level >= 40 ? 'WARN  ' : '';
      console.log(`${tag} ${level}${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message}` : ''}`);
    } catch {
      console.log(`${tag} ${line}`);
    }
  };
}

async function main(): Promise<void> {
  const env = {
    DATABASE_URL: process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/relaydesk',
    AMQP_URL: process.env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672',
    REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info',
    PUBLIC_INGEST_URL: `http://localhost:${ports.ingestion}`,
    PUBLIC_APP_URL: `http://localhost:${ports.gateway}`,
    SMTP_URL: `smtp://127.0.0.1:${mailPorts.smtpPort}`,
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
    ...localSecrets(),
  };
  const running: RunningService[] = [];
  let platforms: DemoPlatforms | undefined;
  let mail: MailCatcher | undefined;
  const stopAll = async (code: number) => {
    console.log('\nstopping…');
    await Promise.all([...running.map((s) => s.stop()), platforms?.whatsapp.stop(), platforms?.telegram.stop(), mail?.stop()]);
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    const start = (name: ServiceName, extra: Record<string, string> = {}) => startService(name, { ...env, ...extra }, { port: ports[name], metricsPort: metricsPortOf(name), onOutput: printer(name), detached: true });
    mail = await startMailCatcher(mailPorts);
    running.push(...(await Promise.all([start('ingestion'), start('routing'), start('conversation'), start('search'), start('notification'), start('tagging-analytics')])));
    const [ingestion, , conversation, search, , analytics] = running;
    running.push(await start('gateway', { CONVERSATION_URL: conversation!.url, INGESTION_URL: ingestion!.url, SEARCH_URL: search!.url, ANALYTICS_URL: analytics!.url }));
    platforms = await startDemoPlatforms(platformPorts);
    const { seeded, webchatChannelId } = await seedDemo(`http://127.0.0.1:${ports.gateway}`, ingestion!.url, admin, platforms);
    console.log(`
  Relaydesk is running${seeded ? ' (demo data seeded)' : ''}.
    Open       http://localhost:${ports.gateway}/   (the operator web app)
    API        http://localhost:${ports.gateway}/api/v1   (health: /health, ready: /ready)
    Ingestion  http://localhost:${ports.ingestion}/ingest/v1
    Webchat    ${env.PUBLIC_INGEST_URL}/ingest/v1/webchat/${webchatChannelId}/demo   (play the client; anna@ or boris@ answers in Sales)
    Log in     ${admin.email} / ${admin.password}   (super_admin)
    Operators  ${demoPeople.map((p) => p.email).join(', ')} / ${demoPassword}
    WhatsApp   ${platforms.whatsapp.url}   (a stand-in for the Cloud API: GET /_standin/sent lists the replies; POST /_standin/messages {from, name, text} plays a client)
    Telegram   ${platforms.telegram.url}   (a stand-in for the Bot API; POST /_standin/updates {chatId, firstName, text} plays a client)
    Mail       ${mail.url}   (every transcript mailed from "Send to Email" lands here)
    RabbitMQ   http://localhost:15672 (guest / guest)
    Metrics    http://localhost:${metricsPortOf('gateway')}/metrics … :${metricsPortOf('tagging-analytics')}   (Prometheus text, one port per service: its own + 1000)
  Ctrl+C stops everything.
`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    if ((error as { code?: string }).code === 'EADDRINUSE' || /EADDRINUSE|address already in use/.test(String(error))) {
      console.error('start: a port it needs is taken; is another `npm start` still running? Stop it (Ctrl+C there, or `pkill -f scripts/start.ts`) and start again.');
    }
    await stopAll(1);
  }
}

void main();
