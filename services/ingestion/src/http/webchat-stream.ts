import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { uuid } from '@relaydesk/contracts';
import { AppError, closeForShutdown, httpStatusOf, parseOrThrow, type Logger } from '@relaydesk/service-kit';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { z } from 'zod';
import { channelOf, chatClosedForNow, checkOrigin } from '../domain/channel-access';
import { verifyVisitor, type Visitor } from '../domain/visitor-token';
import type { Channel, ChannelRepository } from '../store/channel.repository';
import { WebchatSignals } from '../store/webchat-signals';
import type { StreamItem, VisitorKey, WebchatRepository } from '../store/webchat.repository';

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
  itemsPerRead: 200,
};

/** The close code of a socket whose chat was switched off or whose page is no longer allowed; the reason says which. */
const CHAT_CLOSED = 4403;

/** A WebSocket close reason is at most 123 bytes of UTF-8. */
function closeReason(message: string): string {
  const bytes = Buffer.from(message);
  return bytes.length <= 123 ? message : `${bytes.subarray(0, 120).toString('utf8').replace(/\uFFFD$/, '')}…`;
}

const streamQuery = z.object({ token: z.string().max(4096).optional(), after: uuid.optional() });
const clientFrame = z.strictObject({ type: z.literal('ping') });

type Frame = { type: 'hello' | 'reply' | 'message' | 'pong' | 'error'; data: object };

type Connection = {
  ws: WebSocket;
  visitor: Visitor;
  /** The page's Origin header, checked again when the channel changes. */
  origin: string | undefined;
  /** The last line this socket has been sent, as its place in the visitor's stream. */
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
 * `GET /ingest/v1/webchat/:channelId/stream?token=<visitor token>[&after=<line id>]`: the operators'
 * replies to one visitor (`reply`) and his own messages from any tab (`message`), live. The tables
 * are the truth: a socket reads the lines after the last one it sent whenever a committed line is
 * signalled (on any replica), when the widget pings, and once on connect, so a reconnecting widget
 * gets what it missed and nothing twice. A chat switched off, or a page no longer allowed, closes
 * its sockets with 4403 and the reason.
 */
export class VisitorStream {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  private readonly byVisitor = new Map<string, Set<Connection>>();
  private readonly signals: WebchatSignals;
  private readonly ownOrigin: string;
  private pinger: NodeJS.Timeout | undefined;

  constructor(private readonly deps: VisitorStreamDeps) {
    this.ownOrigin = new URL(deps.publicUrl).origin;
    this.signals = new WebchatSignals(deps.databaseUrl, deps.logger, {
      reply: (visitor) => this.byVisitor.get(keyOf(visitor))?.forEach((c) => this.readItems(c)),
      channelChanged: (channelId) => {
        deps.channels.forget();
        void this.recheck((c) => c.visitor.channelId === channelId);
      },
      resync: () => {
        deps.channels.forget();
        void this.recheck(() => true);
        this.byVisitor.forEach((set) => set.forEach((c) => this.readItems(c)));
      },
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
      const channel = await this.admit(channelId, req.headers.origin);
      const { token, after } = parseOrThrow(streamQuery, Object.fromEntries(url.searchParams), 'query');
      visitor = verifyVisitor(token, channel.id, this.deps.visitorSecret);
      if (after) seq = await this.deps.webchat.seqOf(visitor, after);
    } catch (error) {
      if (error instanceof AppError) return refuse(socket, httpStatusOf[error.code], error.code, error.message);
      this.deps.logger.warn({ err: error }, 'webchat stream: could not check an upgrade');
      return refuse(socket, 503, 'unavailable', 'The stream is unavailable; try again shortly');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, visitor, req.headers.origin, seq));
  }

  /** The channel, while it is switched on and lets this page in; refusals are worded for the visitor. */
  private async admit(channelId: string, origin: string | undefined): Promise<Channel> {
    const channel = await channelOf(this.deps.channels, 'webchat', channelId);
    if (!channel.enabled) throw new AppError('forbidden', chatClosedForNow);
    checkOrigin(channel, origin, this.ownOrigin);
    return channel;
  }

  /** Closes the sockets that `which` picks whose chat no longer admits them, saying why. */
  private async recheck(which: (c: Connection) => boolean): Promise<void> {
    for (const set of [...this.byVisitor.values()]) {
      for (const c of [...set].filter(which)) {
        try {
          await this.admit(c.visitor.channelId, c.origin);
        } catch (error) {
          if (!(error instanceof AppError)) return this.deps.logger.warn({ err: error }, 'webchat stream: could not check a channel again');
          c.ws.close(CHAT_CLOSED, closeReason(error.message));
        }
      }
    }
  }

  private open(ws: WebSocket, visitor: Visitor, origin: string | undefined, seq: string): void {
    const c: Connection = { ws, visitor, origin, seq, reading: false, readAgain: false, alive: true, framesInWindow: 0, windowStartedAt: Date.now() };
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
    this.readItems(c);
  }

  /** Sends the lines after the socket's last one; a signal arriving meanwhile makes it read once more. */
  private readItems(c: Connection): void {
    if (c.reading) {
      c.readAgain = true;
      return;
    }
    c.reading = true;
    void (async () => {
      try {
        do {
          c.readAgain = false;
          let items: StreamItem[];
          do {
            items = await this.deps.webchat.itemsAfter(c.visitor, c.seq, limits.itemsPerRead);
            for (const { seq, ...item } of items) {
              this.send(c, { type: item.direction === 'out' ? 'reply' : 'message', data: item });
              c.seq = seq;
            }
          } while (items.length === limits.itemsPerRead && c.ws.readyState === WebSocket.OPEN);
        } while (c.readAgain && c.ws.readyState === WebSocket.OPEN);
      } catch (error) {
        this.deps.logger.warn({ err: error }, 'webchat stream: could not read the visitor’s lines');
        c.ws.close(1011, 'could not read the chat; reconnect');
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
    this.readItems(c);
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
