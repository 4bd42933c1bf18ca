import type { StreamFrame } from '../api/types';

export type { StreamFrame };

export type StreamStatus = 'connecting' | 'online' | 'offline';

type Listener = (frame: StreamFrame) => void;

const HEARTBEAT_MS = 15_000;
/** A link that stays silent this long after a ping is dead though no close came (a network gone quietly). */
const PONG_WAIT_MS = 10_000;
const RETRY_MS = [500, 1_000, 2_000, 5_000, 10_000];

/**
 * The operator's live stream: heartbeats (presence, "away" while the tab is hidden), reconnects
 * by itself from where it left off (`?since=`), and says `reload` when the server no longer holds
 * what it missed, so the screen re-reads everything instead of showing a silent gap.
 */
export class LiveStream {
  private ws: WebSocket | undefined;
  private lastId: string | undefined;
  private attempt = 0;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private pongDeadline: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private onDropped: () => void = () => undefined;
  private readonly listeners = new Set<Listener>();
  private readonly statusListeners = new Set<(status: StreamStatus) => void>();
  status: StreamStatus = 'connecting';
  /**
   * Grows with every subscription that does not resume the one before: the server sends what
   * comes after its start, so a list read while one epoch is online misses nothing of it.
   */
  epoch = 0;

  constructor(
    private readonly token: string,
    private readonly url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/stream`,
  ) {}

  /**
   * `onDropped` runs whenever the socket closes without stop(): the stream cannot tell a network
   * hiccup from a session the server ended (a deactivated operator, a changed password), so the
   * app asks the API, whose 401 ends the session.
   */
  start(onDropped: () => void = () => undefined): this {
    this.onDropped = onDropped;
    this.connect();
    document.addEventListener('visibilitychange', this.beat);
    return this;
  }

  stop(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.retry);
    clearTimeout(this.pongDeadline);
    document.removeEventListener('visibilitychange', this.beat);
    this.ws?.close(1000, 'logged out');
  }

  /** Every frame, `hello` and `reload` included; answers the unsubscribe. */
  onFrame(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onStatus(listener: (status: StreamStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  private connect(): void {
    const url = new URL(this.url);
    const resuming = this.lastId !== undefined;
    if (this.lastId) url.searchParams.set('since', this.lastId);
    // The token goes as a subprotocol, not in the URL, which proxies and access logs keep.
    const ws = new WebSocket(url, ['bearer', this.token]);
    this.ws = ws;
    ws.onopen = () => {
      // The server subscribed this socket before it answered the upgrade.
      if (!resuming) this.epoch++;
      this.attempt = 0;
      this.setStatus('online');
      clearInterval(this.heartbeat);
      this.heartbeat = setInterval(this.beat, HEARTBEAT_MS);
    };
    ws.onmessage = (event) => {
      clearTimeout(this.pongDeadline);
      this.pongDeadline = undefined;
      const frame = JSON.parse(String(event.data)) as StreamFrame;
      if (frame.id) this.lastId = frame.id;
      for (const listener of this.listeners) listener(frame);
    };
    ws.onclose = () => this.dropped(ws);
  }

  /** The socket closed, or was given up for silence: offline, and a reconnect from where it left off. */
  private dropped(ws: WebSocket): void {
    if (ws !== this.ws) return;
    this.ws = undefined;
    clearInterval(this.heartbeat);
    clearTimeout(this.pongDeadline);
    this.pongDeadline = undefined;
    if (this.closed) return;
    this.setStatus('offline');
    this.onDropped();
    const wait = RETRY_MS[Math.min(this.attempt++, RETRY_MS.length - 1)];
    this.retry = setTimeout(() => this.connect(), wait);
  }

  private readonly beat = (): void => {
    const ws = this.ws;
    if (ws?.readyState !== WebSocket.OPEN) return;
    ws.send(JSON.stringify({ type: 'ping', ...(document.visibilityState === 'hidden' ? { status: 'away' } : {}) }));
    // Any frame answers; a browser's close() of a dead link may take minutes to report, so it is not waited for.
    this.pongDeadline ??= setTimeout(() => {
      this.dropped(ws);
      ws.close(4000, 'no answer to a ping');
    }, PONG_WAIT_MS);
  };

  private setStatus(status: StreamStatus): void {
    this.status = status;
    for (const listener of this.statusListeners) listener(status);
  }
}
