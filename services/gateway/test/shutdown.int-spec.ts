import { connect, type Socket } from 'node:net';
import { createTestEnv, HttpClient, startService, type TestEnv } from '@relaydesk/testing';

const ADMIN = { ADMIN_EMAIL: 'admin@relaydesk.test', ADMIN_PASSWORD: 'admin password 1', BCRYPT_ROUNDS: '4' };

/** A client that completes the WebSocket handshake and then never reads nor answers: a phone gone off the network. */
function silentSocket(url: string): Promise<Socket> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(target.port), target.hostname, () => {
      socket.write(`GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    socket.once('data', (answer) => {
      socket.pause();
      if (answer.toString().startsWith('HTTP/1.1 101')) resolve(socket);
      else reject(new Error(answer.toString()));
    });
    socket.once('error', reject);
  });
}

describe('gateway shutdown', () => {
  let env: TestEnv;

  beforeAll(async () => {
    env = await createTestEnv();
  });

  afterAll(async () => {
    await env?.dispose();
  });

  it('a socket whose peer never answers does not hold the shutdown: the gateway stops cleanly within seconds', async () => {
    const gateway = await startService('gateway', { ...env.env, ...ADMIN, CONVERSATION_URL: 'http://127.0.0.1:1', INGESTION_URL: 'http://127.0.0.1:1', SHUTDOWN_TIMEOUT_MS: '10000' });
    const { accessToken } = (await new HttpClient(gateway.url).post('/api/v1/auth/login', { email: ADMIN.ADMIN_EMAIL, password: ADMIN.ADMIN_PASSWORD })).body;
    const socket = await silentSocket(`${gateway.url}/api/v1/stream?token=${accessToken}`);
    const started = Date.now();
    const code = await gateway.stop();
    socket.destroy();
    // ws would wait 30 s for the closing handshake, and the 10 s shutdown timeout would exit 1 first.
    expect({ code, withinTimeout: Date.now() - started < 10_000 }).toEqual({ code: 0, withinTimeout: true });
    expect(gateway.output()).not.toMatch(/took too long/);
  });
});
