import { join } from 'node:path';
import WebSocket from 'ws';
import type { HttpClient } from '@relaydesk/testing';
import type { StreamFrame, Tab } from '../../services/operator-ui/src/api/types';
import { initialState, reduce, type Action, type ListState } from '../../services/operator-ui/src/workspace/list-state';

/** The web app's LiveStream, loaded by path: its file is typed against the DOM, which Node code is not. */
type LiveStream = {
  status: 'connecting' | 'online' | 'offline';
  epoch: number;
  start(): unknown;
  stop(): void;
  onStatus(listener: () => void): unknown;
  onFrame(listener: (frame: StreamFrame) => void): unknown;
};
const streamModule = join(__dirname, '../../services/operator-ui/src/live/stream');

/** The browser's WebSocket, where the `error` that precedes every `close` needs no listener. */
class BrowserLikeWebSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols);
    this.on('error', () => undefined);
  }
}

/**
 * One tab of the operator web app outside a browser: the app's own LiveStream (heartbeats,
 * reconnects with `since`, `reload`) and list reducer, driven as use-conversation-list drives them:
 * the first read once the stream is up, a fresh read of the tab and the counters whenever the
 * state turns stale. What it shows after crashes is what an operator's screen would show.
 */
export class LiveScreen {
  state: ListState;
  /** Frames and fresh reads it has taken: what kept it current. */
  readonly seen = { frames: 0, reads: 0 };
  private requested = 0;

  private constructor(
    private readonly api: HttpClient,
    private readonly stream: LiveStream,
    meId: string,
    tab: Tab,
  ) {
    this.state = reduce(initialState(meId, tab), { type: 'open', tab, filters: {} });
    stream.onStatus(() => this.dispatch({ type: 'stream', status: stream.status, epoch: stream.epoch }));
    stream.onFrame((frame) => {
      this.seen.frames++;
      this.dispatch({ type: 'frame', frame });
    });
    stream.start();
  }

  static async open(api: HttpClient, gatewayUrl: string, meId: string, tab: Tab): Promise<LiveScreen> {
    Object.assign(globalThis, { WebSocket: BrowserLikeWebSocket, document: { visibilityState: 'visible', addEventListener: () => undefined, removeEventListener: () => undefined } });
    const { LiveStream } = (await import(streamModule)) as { LiveStream: new (token: string, url: string) => LiveStream };
    return new LiveScreen(api, new LiveStream(api.token!, `${gatewayUrl.replace(/^http/, 'ws')}/api/v1/stream`), meId, tab);
  }

  stop(): void {
    this.stream.stop();
  }

  private dispatch(action: Action): void {
    this.state = reduce(this.state, action);
    if (this.state.stale) {
      this.state = reduce(this.state, { type: 'refresh' });
      void this.api.get('/api/v1/conversations/counters').then((answer) => answer.status === 200 && this.dispatch({ type: 'counters', counters: answer.body }), () => undefined);
    }
    const { loading, awaitingStream, generation, tab } = this.state;
    if (loading !== 'first' || awaitingStream || this.requested === generation) return;
    this.requested = generation;
    this.seen.reads++;
    void this.api.get(`/api/v1/conversations?tab=${tab}&limit=50`).then(
      (answer) => this.dispatch(answer.status === 200 ? { type: 'page', generation, page: answer.body, append: false } : { type: 'failed', generation, message: `answered ${answer.status}` }),
      () => this.dispatch({ type: 'failed', generation, message: 'no answer' }),
    );
  }
}
