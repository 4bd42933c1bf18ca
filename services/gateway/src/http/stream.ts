import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError, closeForShutdown, type Logger } from '@relaydesk/service-kit';
import { countersOf, isAfter, LiveFeed, streamId, type LiveEntry, type LiveState } from '@relaydesk/live';
import { Router } from 'express';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { z } from 'zod';
import type { AccessTokens } from '../auth/access-tokens';
import { framesFor, type Frame, type NamedEntry, type Viewer } from '../domain/live-audience';
import { callerOfOperator, meOf, type Caller } from '../domain/operator';
import { CachedNames, type Directory } from '../store/directory';
import type { GroupRepository } from '../store/group.repository';
import type { OperatorRepository } from '../store/operator.repository';
import type { PresenceStore } from '../store/presence';
import { identityOfCaller, operatorOfToken } from './authenticate';
import { Names } from './names';

const STREAM_PATH = '/api/v1/stream';

/** A plain GET of the stream's path (no Upgrade header) learns what it is, instead of a 404. */
export function streamRoutes(): Router {
  const router = Router();
  router.get('/stream', () => {
    throw new AppError('upgrade_required', 'GET /api/v1/stream is a WebSocket: connect with Upgrade: websocket and ?token=<access token> (or the subprotocols "bearer, <token>")');
  });
  return router;
}

export type OperatorStreamDeps = {
  logger: Logger;
  tokens: Pick<AccessTokens, 'verify'>;
  operators: Pick<OperatorRepository, 'findCached' | 'forget'>;
  groups: Pick<GroupRepository, 'list'>;
  directory: Directory;
  live: LiveState;
  presence: PresenceStore;
  limits?: Partial<typeof defaultLimits>;
};

const defaultLimits = {
  /** Frames an operator may send per window before the socket is closed (1008). */
  framesPerWindow: 30,
  windowMs: 10_000,
  /** Bytes waiting to be sent before a socket counts as stuck and is closed (1013): it resumes. */
  maxBufferedBytes: 4 * 1024 * 1024,
  /** How often the caller's groups and permissions are read again, and stale heartbeats swept. */
  refreshMs: 30_000,
  sweepMs: 5_000,
};

const clientFrame = z.discriminatedUnion('type', [z.strictObject({ type: z.literal('ping'), status: z.enum(['online', 'away']).optional() })]);

/** An upgrade refused before it became a WebSocket: a plain HTTP answer with the API's error body. */
function refuse(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 503: 'Service Unavailable' }[status] ?? 'Error';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

const statusOf = (error: unknown): [number, string] =>
  error instanceof AppError ? (error.code === 'unauthorized' ? [401, error.code] : error.code === 'validation_failed' ? [400, error.code] : [503, 'unavailable']) : [503, 'unavailable'];

/** The token from `?token=` or from the subprotocols `bearer, <token>` (browsers cannot set headers). */
function tokenOf(req: IncomingMessage, url: URL): string {
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) return fromQuery;
  const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const fromProtocol = protocols[0] === 'bearer' ? protocols[1] : undefined;
  if (!fromProtocol) throw new AppError('unauthorized', 'Missing access token: send ?token=<token> or the subprotocols "bearer, <token>"');
  return fromProtocol;
}

const NOBODY: Caller = { operatorId: '00000000-0000-0000-0000-000000000000', role: 'operator', permissions: [], groupIds: [], name: '', email: '' };

/** One operator's socket. Entries that arrive while it catches up from a resume point wait in `pending`. */
type Connection = {
  id: string;
  ws: WebSocket;
  /** The connection under the WebSocket, corked while a batch of frames is written (one writev, not one per frame). */
  socket: Duplex;
  token: string;
  caller: Caller;
  viewer: Viewer;
  pending: NamedEntry[] | undefined;
  framesInWindow: number;
  windowStartedAt: number;
  refreshedAt: number;
};

/**
 * `GET /api/v1/stream` (API.md "Real time"): pushes each operator what changes among what he may
 * see. Every replica reads the whole live stream from Redis and filters it per socket; a client
 * that reconnects with `?since=<id>` gets what it missed, or `reload` when that is no longer kept.
 */
export class OperatorStream {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<Connection>();
  private readonly feed: LiveFeed;
  private readonly names: Names;
  private readonly limits: typeof defaultLimits;
  private delivering: Promise<void> = Promise.resolve();
  /** Frames that several sockets get are the same object (see framesFor): serialised once. */
  private readonly serialised = new WeakMap<Frame, Buffer>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly deps: OperatorStreamDeps) {
    this.limits = { ...defaultLimits, ...deps.limits };
    this.names = new Names(new CachedNames(deps.directory));
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 4096, handleProtocols: (protocols) => (protocols.has('bearer') ? 'bearer' : false) });
    this.feed = new LiveFeed(deps.live.redis, deps.live.prefix, (entries) => this.deliver(entries), (error) =>
      deps.logger.warn({ err: error }, 'live feed: read failed, retrying'),
    );
  }

  async start(server: Server): Promise<this> {
    await this.feed.start();
    server.on('upgrade', (req, socket, head) => void this.upgrade(req, socket, head));
    this.sweeper = setInterval(() => void this.sweepPresence(), this.limits.sweepMs).unref();
    return this;
  }

  async stop(): Promise<void> {
    clearInterval(this.sweeper);
    for (const c of this.connections) closeForShutdown(c.ws);
    await this.feed.stop();
    await this.delivering;
  }

  get size(): number {
    return this.connections.size;
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://gateway');
    } catch {
      return refuse(socket, 400, 'validation_failed', 'Malformed request target');
    }
    if (url.pathname !== STREAM_PATH) return refuse(socket, 404, 'not_found', `No WebSocket at ${url.pathname}`);
    let caller: Caller;
    let token: string;
    let since: string | undefined;
    try {
      token = tokenOf(req, url);
      caller = callerOfOperator(await operatorOfToken(this.deps, token));
      const rawSince = url.searchParams.get('since');
      if (rawSince !== null) {
        const parsed = streamId.safeParse(rawSince);
        if (!parsed.success) throw new AppError('validation_failed', 'since must be the id of a frame, like 1732000000000-0');
        since = parsed.data;
      }
    } catch (error) {
      const [status, code] = statusOf(error);
      return refuse(socket, status, code, error instanceof AppError ? error.message : 'The stream is unavailable');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => void this.open(ws, socket, token, caller, since));
  }

  private async open(ws: WebSocket, socket: Duplex, token: string, caller: Caller, since: string | undefined): Promise<void> {
    const now = Date.now();
    const c: Connection = { id: randomUUID(), ws, socket, token, caller, viewer: { caller: identityOfCaller(caller), sets: new Map(), countsAsOf: '0-0' }, pending: [], framesInWindow: 0, windowStartedAt: now, refreshedAt: now };
    // Registered first, so that nothing the feed hands on from here is missed while catching up.
    this.connections.add(c);
    const upTo = this.feed.lastId;
    ws.on('message', (data) => void this.onClientFrame(c, data));
    ws.on('close', () => void this.onClose(c));
    ws.on('error', () => ws.terminate());
    try {
      await this.loadCounters(c);
      await this.announce(caller.operatorId, await this.deps.presence.beat(caller.operatorId, c.id, false));
      this.send(c, { type: 'hello', id: upTo, data: { operatorId: caller.operatorId, counters: countersOf(c.viewer.caller, c.viewer.sets) } });
      if (since !== undefined) await this.catchUp(c, since, upTo);
      const waiting = c.pending ?? [];
      c.pending = undefined;
      this.sendEntries(c, waiting);
    } catch (error) {
      this.deps.logger.warn({ err: error, operatorId: caller.operatorId }, 'stream: could not open');
      ws.close(1011, 'could not start the stream; reconnect');
    }
  }

  private async catchUp(c: Connection, since: string, upTo: string): Promise<void> {
    const missed = isAfter(since, upTo) ? undefined : await this.feed.between(since, upTo);
    if (missed) this.sendEntries(c, await this.named(missed));
    else this.send(c, { type: 'reload', id: upTo, data: { reason: 'the stream no longer holds what came after that point' } });
  }

  private deliver(entries: LiveEntry[]): void {
    this.delivering = this.delivering
      .then(async () => {
        await this.followOperatorChanges(entries);
        const named = await this.named(entries);
        for (const c of this.connections) {
          if (c.pending) c.pending.push(...named);
          else this.sendEntries(c, named);
        }
      })
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'stream: delivery failed'));
  }

  /**
   * An operator changed (PATCH /operators/:id on any replica): his sockets here re-read him before
   * this batch is filtered, so a group taken from him shows nothing more of it, and a deactivated
   * operator's socket closes (4401). A socket still opening re-reads him and tells nothing yet.
   */
  private async followOperatorChanges(entries: LiveEntry[]): Promise<void> {
    const changed = new Set(entries.flatMap((e) => (e.kind === 'operator' ? [e.operatorId] : [])));
    if (changed.size === 0) return;
    for (const id of changed) this.deps.operators.forget(id);
    const affected = [...this.connections].filter((c) => changed.has(c.caller.operatorId));
    await Promise.all(
      affected.map(async (c) => {
        try {
          if (!(await this.refresh(c)) || c.pending) return;
          this.send(c, { type: 'operator.updated', data: meOf(c.caller) });
          this.send(c, { type: 'counters.updated', data: countersOf(c.viewer.caller, c.viewer.sets) });
        } catch (error) {
          this.deps.logger.warn({ err: error, operatorId: c.caller.operatorId }, 'stream: could not re-read a changed operator; his next refresh will');
        }
      }),
    );
  }

  /**
   * Names people and groups once per entry for all sockets (each socket words its own pin label),
   * and gives each presence the operator's groups, which say who may see it.
   */
  private async named(entries: LiveEntry[]): Promise<NamedEntry[]> {
    const withGroups = await Promise.all(
      entries.map(async (e): Promise<NamedEntry> => (e.kind === 'presence' ? { ...e, groupIds: (await this.deps.operators.findCached(e.operatorId))?.groupIds ?? [] } : e)),
    );
    const changes = entries.filter((e) => e.kind === 'change');
    if (changes.length === 0) return withGroups;
    const [items, messages, actors] = await Promise.all([
      this.names.items(changes.map((e) => e.change.item), NOBODY),
      this.names.messages(changes.flatMap((e) => e.change.messages)),
      this.names.operators(changes.flatMap((e) => (e.change.actorId ? [e.change.actorId] : []))),
    ]);
    let i = 0;
    let m = 0;
    return withGroups.map((e) => {
      if (e.kind !== 'change') return e;
      const count = e.change.messages.length;
      m += count;
      const by = e.change.actorId ? { id: e.change.actorId, name: actors.get(e.change.actorId) ?? null } : undefined;
      return { ...e, item: items[i++] as NamedEntry['item'], messages: messages.slice(m - count, m), by };
    });
  }

  private sendEntries(c: Connection, entries: NamedEntry[]): void {
    c.socket.cork();
    try {
      for (const entry of entries) for (const frame of framesFor(c.viewer, entry)) this.send(c, frame);
    } finally {
      c.socket.uncork();
    }
  }

  private send(c: Connection, frame: Frame): void {
    if (c.ws.readyState !== WebSocket.OPEN) return;
    if (c.ws.bufferedAmount > this.limits.maxBufferedBytes) {
      c.ws.close(1013, 'too far behind: reconnect with since');
      return;
    }
    let bytes = this.serialised.get(frame);
    if (bytes === undefined) this.serialised.set(frame, (bytes = Buffer.from(JSON.stringify(frame), 'utf8')));
    c.ws.send(bytes, { binary: false });
  }

  private async loadCounters(c: Connection): Promise<void> {
    const groups = await this.deps.groups.list();
    const { sets, asOf } = await this.deps.live.counterSets(c.viewer.caller, groups.map((g) => g.id));
    c.viewer.sets = sets;
    c.viewer.countsAsOf = asOf;
  }

  private async onClientFrame(c: Connection, data: RawData): Promise<void> {
    const now = Date.now();
    if (now - c.windowStartedAt > this.limits.windowMs) {
      c.windowStartedAt = now;
      c.framesInWindow = 0;
    }
    if (++c.framesInWindow > this.limits.framesPerWindow) {
      c.ws.close(1008, `more than ${this.limits.framesPerWindow} frames in ${this.limits.windowMs / 1000} s`);
      return;
    }
    let parsed: z.infer<typeof clientFrame>;
    try {
      // With ws's default binaryType a message arrives as one Buffer.
      parsed = clientFrame.parse(JSON.parse((data as Buffer).toString('utf8')));
    } catch {
      this.send(c, { type: 'error', data: { code: 'validation_failed', message: 'Frames are JSON like {"type":"ping"} or {"type":"ping","status":"away"}' } });
      return;
    }
    try {
      if (now - c.refreshedAt > this.limits.refreshMs && !(await this.refresh(c))) return;
      await this.announce(c.caller.operatorId, await this.deps.presence.beat(c.caller.operatorId, c.id, parsed.status === 'away'));
      this.send(c, { type: 'pong', data: {} });
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'stream: heartbeat failed');
    }
  }

  /** Reads the caller again (groups and permissions change); closes the socket when he may no longer be here. */
  private async refresh(c: Connection): Promise<boolean> {
    c.refreshedAt = Date.now();
    try {
      c.caller = callerOfOperator(await operatorOfToken(this.deps, c.token));
      c.viewer.caller = identityOfCaller(c.caller);
      await this.loadCounters(c);
      return true;
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'unauthorized')) throw error;
      c.ws.close(4401, error.message.slice(0, 120));
      return false;
    }
  }

  private async onClose(c: Connection): Promise<void> {
    this.connections.delete(c);
    try {
      await this.announce(c.caller.operatorId, await this.deps.presence.leave(c.caller.operatorId, c.id));
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'stream: could not record a socket leaving');
    }
  }

  private async sweepPresence(): Promise<void> {
    try {
      for (const [operatorId, presence] of await this.deps.presence.sweep()) await this.announce(operatorId, presence);
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'stream: presence sweep failed');
    }
  }

  private async announce(operatorId: string, presence: string | undefined): Promise<void> {
    if (presence) await this.deps.live.announcePresence(operatorId, presence);
  }
}
