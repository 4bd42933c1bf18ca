import { WebSocket } from 'ws';
import type { HttpClient } from './http-client';
import { waitFor } from './wait';

export type StreamFrame = { type: string; id?: string; data: any };

/** An operator UI's WebSocket to `GET /api/v1/stream`, keeping every frame it receives. */
export class StreamClient {
  readonly frames: StreamFrame[] = [];
  /** The id of the newest frame that carried one: where a reconnect resumes. */
  lastId: string | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse((data as Buffer).toString('utf8')) as StreamFrame;
      if (frame.id) this.lastId = frame.id;
      this.frames.push(frame);
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Opens the stream as `api`'s operator (or with `token`), and waits for the server's hello. */
  static async open(gatewayUrl: string, options: { api?: HttpClient; token?: string; since?: string; viaProtocol?: boolean } = {}): Promise<StreamClient> {
    const token = options.token ?? options.api?.token ?? '';
    const url = new URL('/api/v1/stream', gatewayUrl.replace(/^http/, 'ws'));
    if (!options.viaProtocol) url.searchParams.set('token', token);
    if (options.since) url.searchParams.set('since', options.since);
    const ws = new WebSocket(url, options.viaProtocol ? ['bearer', token] : []);
    const client = new StreamClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`stream refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
    await client.next('hello');
    return client;
  }

  /** The answer a refused upgrade got: its status and JSON body. */
  static async refusal(gatewayUrl: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
    const ws = new WebSocket(new URL(path, gatewayUrl.replace(/^http/, 'ws')), { headers });
    return new Promise((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      });
      ws.once('open', () => reject(new Error('the upgrade was accepted')));
    });
  }

  /** The first frame of `type` (matching `where`) not yet taken by an earlier call. */
  next(type: string, where: (data: any) => boolean = () => true, timeoutMs = 15_000): Promise<StreamFrame> {
    return waitFor(
      `a ${type} frame`,
      () => {
        const index = this.frames.findIndex((f) => f.type === type && where(f.data));
        if (index < 0) return undefined;
        return this.frames.splice(index, 1)[0];
      },
      { timeoutMs, intervalMs: 10 },
    );
  }

  of(type: string, where: (data: any) => boolean = () => true): StreamFrame[] {
    return this.frames.filter((f) => f.type === type && where(f.data));
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }
}
