import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { uuid } from '@relaydesk/contracts';
import { AppError, closeForShutdown, httpStatusOf, parseOrThrow, type Logger } from '@relaydesk/service-kit';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { z } from 'zod';
import { checkOrigin, receivingChannelOf } from '../domain/channel-access';
import { verifyVisitor, type Visitor } from '../domain/visitor-token';
import type { ChannelRepository } from '../store/channel.repository';
import { ReplySignals } from '../store/webchat-reply-signals';
import type { VisitorKey, WebchatReply, WebchatRepository } from '../store/webchat.repository';

const STREAM_PATH = /^\/ingest\/v1\/webchat\/([^/]*)\/stream$/;

export type VisitorStreamDeps = {
  logger: Logger;
  channels: ChannelRepository;
  webchat: WebchatRepository;
  visitorSecret: string;
  publicUrl: string;
  /** For a connection of its own that listens for committed replies. */
  databaseUrl: string;
};

const limits = {
  /** Frames a widget may send per window before its socket is closed (1008); it pings every 25 s. */
  framesPerWindow: 20,
  windowMs: 10_000,
  /** Bytes waiting to be sent before a socket counts as stuck and is closed (1013): the widget resumes. */
  maxBufferedBytes: 1024 * 1024,
  /** A socket that does not answer a protocol ping within this long is dropped. */
  pingMs: 30_000,
  repliesPerRead: 200,
};

const streamQuery = z.object({ token: z.string().max(4096).optional(), after: uuid.optional() });
const clientFrame = z.strictObject({ type: z.literal('ping') });

type Frame = { type: 'hello' | 'reply' | 'pong' | 'error'; data: object };

type Connection = {
  ws: WebSocket;
  visitor: Visitor;
  /** The last reply this socket has been sent, as its place in the visitor's order of replies. */
  seq: string;
  reading: boolean;
  readAgain: boolean;
  alive: boolean;
  framesInWindow: number;
  windowStartedAt: number;
};

const keyOf = (v: VisitorKey): string => `${v.channelId}:${v.visitorId}`;

/** An upgrade refused before it became a WebSocket: a plain HTTP answer with the API's error body. */
function refuse(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/**
 * `GET /ingest/v1/webchat/:channelId/stream?token=<visitor token>[&after=<reply id>]`: the operators'
 * replies to one visitor, live. The table of replies is the truth: a socket reads the replies after
 * the last one it sent whenever a committed reply is signalled (on any replica), when the widget
 * pings, and once on connect, so a reconnecting widget gets what it missed and nothing twice.
 */
export class VisitorStream {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  private readonly byVisitor = new Map<string, Set<Connection>>();
  private readonly signals: ReplySignals;
  private readonly ownOrigin: string;
  private pinger: NodeJS.Timeout | undefined;

  constructor(private readonly deps: VisitorStreamDeps) {
    this.ownOrigin = new URL(deps.publicUrl).origin;
    this.signals = new ReplySignals(deps.databaseUrl, deps.logger, {
      reply: (visitor) => this.byVisitor.get(keyOf(visitor))?.forEach((c) => this.readReplies(c)),
      resync: () => this.byVisitor.forEach((set) => set.forEach((c) => this.readReplies(c))),
    });
  }

  async start(server: Server): Promise<this> {
    await this.signals.start();
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.upgrade(req, socket, head));
    this.pinger = setInterval(() => this.pingAll(), limits.pingMs).unref();
    return this;
  }

  async stop(): Promise<void> {
    clearInterval(this.pinger);
    for (const set of this.byVisitor.values()) for (const c of set) closeForShutdown(c.ws);
    await this.signals.stop();
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    let url: URL;
    let path: RegExpExecArray | null;
    let channelId: string;
    try {
      url = new URL(req.url ?? '/', 'http://ingestion');
      path = STREAM_PATH.exec(url.pathname);
      channelId = decodeURIComponent(path?.[1] ?? '');
    } catch {
      return refuse(socket, 400, 'validation_failed', 'Malformed request target');
    }
    if (!path) return refuse(socket, 404, 'not_found', `No WebSocket at ${url.pathname}`);
    let visitor: Visitor;
    let seq = '0';
    try {
      const channel = await receivingChannelOf(this.deps.channels, 'webchat', channelId);
      checkOrigin(channel, req.headers.origin, this.ownOrigin);
      const { token, after } = parseOrThrow(streamQuery, Object.fromEntries(url.searchParams), 'query');
      visitor = verifyVisitor(token, channel.id, this.deps.visitorSecret);
      if (after) seq = await this.deps.webchat.seqOf(visitor, after);
    } catch (error) {
      if (error instanceof AppError) return refuse(socket, httpStatusOf[error.code], error.code, error.message);
      this.deps.logger.warn({ err: error }, 'webchat stream: could not check an upgrade');
      return refuse(socket, 503, 'unavailable', 'The stream is unavailable; try again shortly');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, visitor, seq));
  }

  private open(ws: WebSocket, visitor: Visitor, seq: string): void {
    const c: Connection = { ws, visitor, seq, reading: false, readAgain: false, alive: true, framesInWindow: 0, windowStartedAt: Date.now() };
    const key = keyOf(visitor);
    const set = this.byVisitor.get(key) ?? new Set();
    this.byVisitor.set(key, set.add(c));
    ws.on('message', (data) => this.onClientFrame(c, data));
    ws.on('pong', () => (c.alive = true));
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      set.delete(c);
      if (set.size === 0 && this.byVisitor.get(key) === set) this.byVisitor.delete(key);
    });
    this.send(c, { type: 'hello', data: { visitorId: visitor.visitorId, name: visitor.name } });
    this.readReplies(c);
  }

  /** Sends the replies after the socket's last one; a signal arriving meanwhile makes it read once more. */
  private readReplies(c: Connection): void {
    if (c.reading) {
      c.readAgain = true;
      return;
    }
    c.reading = true;
    void (async () => {
      try {
        do {
          c.readAgain = false;
          let replies: WebchatReply[];
          do {
            replies = await this.deps.webchat.repliesAfter(c.visitor, c.seq, limits.repliesPerRead);
            for (const { seq, ...item } of replies) {
              this.send(c, { type: 'reply', data: item });
              c.seq = seq;
            }
          } while (replies.length === limits.repliesPerRead && c.ws.readyState === WebSocket.OPEN);
        } while (c.readAgain && c.ws.readyState === WebSocket.OPEN);
      } catch (error) {
        this.deps.logger.warn({ err: error }, 'webchat stream: could not read replies');
        c.ws.close(1011, 'could not read the replies; reconnect');
      } finally {
        c.reading = false;
      }
    })();
  }

  private onClientFrame(c: Connection, data: RawData): void {
    const now = Date.now();
    if (now - c.windowStartedAt > limits.windowMs) {
      c.windowStartedAt = now;
      c.framesInWindow = 0;
    }
    if (++c.framesInWindow > limits.framesPerWindow) {
      c.ws.close(1008, `more than ${limits.framesPerWindow} frames in ${limits.windowMs / 1000} s`);
      return;
    }
    let valid = false;
    try {
      // With ws's default binaryType a message arrives as one Buffer.
      valid = clientFrame.safeParse(JSON.parse((data as Buffer).toString('utf8'))).success;
    } catch {
      // not JSON: answered below
    }
    if (!valid) return this.send(c, { type: 'error', data: { code: 'validation_failed', message: 'Frames are JSON like {"type":"ping"}' } });
    this.send(c, { type: 'pong', data: {} });
    this.readReplies(c);
  }

  private send(c: Connection, frame: Frame): void {
    if (c.ws.readyState !== WebSocket.OPEN) return;
    if (c.ws.bufferedAmount > limits.maxBufferedBytes) {
      c.ws.close(1013, 'too far behind: reconnect with after');
      return;
    }
    c.ws.send(JSON.stringify(frame));
  }

  private pingAll(): void {
    for (const set of this.byVisitor.values()) {
      for (const c of set) {
        if (!c.alive) {
          c.ws.terminate();
          continue;
        }
        c.alive = false;
        c.ws.ping();
      }
    }
  }
}
