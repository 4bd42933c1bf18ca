import type { Server } from 'node:http';
import { stopTelemetry } from '@relaydesk/telemetry';
import { closeServer } from './http-app';
import type { Logger } from './logger';

export type ShutdownStep = [name: string, run: () => Promise<void>];

/**
 * On SIGTERM or SIGINT runs the steps in order (stop consuming, finish in-flight work, close
 * connections), sends the traces still buffered and exits 0; exits 1 when they outlast the timeout
 * or a second signal comes.
 */
export function exitGracefully(logger: Logger, steps: ShutdownStep[], timeoutMs: number): void {
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error('shutdown took too long: exiting');
      process.exit(1);
    }, timeoutMs).unref();
    for (const [name, run] of steps) {
      try {
        await run();
      } catch (error) {
        logger.error({ err: error, step: name }, 'shutdown step failed');
      }
    }
    await stopTelemetry().catch((error: unknown) => logger.warn({ err: error }, 'could not send the last traces'));
    logger.info('stopped');
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void stop(signal));
}

/** The steps every service shares, named alike in every log; a service lists them in its own order. */
export const stopConsuming = (consumers: { stop(): Promise<void> }[]): ShutdownStep => ['stop consuming', () => Promise.all(consumers.map((c) => c.stop())).then(() => undefined)];
export const closeHttp = (server: Server): ShutdownStep => ['close http', () => closeServer(server)];
export const flushOutbox = (relay: { stop(): Promise<void> }): ShutdownStep => ['flush outbox', () => relay.stop()];
export const closeBus = (bus: { close(): Promise<void> }): ShutdownStep => ['close bus', () => bus.close()];
export const closeRedis = (...clients: { quit(): Promise<unknown> }[]): ShutdownStep => ['close redis', () => Promise.all(clients.map((c) => c.quit())).then(() => undefined)];
export const closeDatabase = (db: { destroy(): Promise<void> }): ShutdownStep => ['close database', () => db.destroy()];

/** How long a socket's peer has to answer a closing handshake at shutdown before it is dropped. */
const CLOSE_HANDSHAKE_MS = 1000;

/**
 * Closes a WebSocket as a shutdown does (1001), and drops it if its peer has not answered within a
 * second: a phone gone off the network would otherwise hold the shutdown for ws's 30 s handshake.
 */
export function closeForShutdown(ws: { close(code: number, reason: string): void; terminate(): void }): void {
  ws.close(1001, 'server shutting down');
  setTimeout(() => ws.terminate(), CLOSE_HANDSHAKE_MS).unref();
}
