import { afterEach, describe, expect, it, vi } from 'vitest';
import { LiveStream } from './stream';

/** A WebSocket that opens at once and closes when told, standing in for the browser's. */
class FakeSocket {
  static last: FakeSocket | undefined;
  static readonly OPEN = 1;
  readyState = 0;
  onopen: (() => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  constructor(
    readonly url: URL,
    readonly protocols: string[],
  ) {
    FakeSocket.last = this;
    queueMicrotask(() => {
      this.readyState = FakeSocket.OPEN;
      this.onopen?.();
    });
  }
  send(): void {}
  close(code = 1000): void {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

/** A stream on the fake socket, with fake timers, once its socket has opened. */
async function openedStream() {
  vi.stubGlobal('WebSocket', FakeSocket);
  vi.useFakeTimers();
  const dropped = vi.fn();
  const stream = new LiveStream('t0k3n', 'ws://desk.test/api/v1/stream').start(dropped);
  await vi.advanceTimersByTimeAsync(0);
  return { stream, dropped };
}

describe('LiveStream', () => {
  it('sends the access token as the subprotocol "bearer, <token>", never in the URL that proxies log', async () => {
    const { stream } = await openedStream();
    expect(FakeSocket.last!.protocols).toEqual(['bearer', 't0k3n']);
    expect(FakeSocket.last!.url.href).toBe('ws://desk.test/api/v1/stream');
    stream.stop();
  });

  it('a socket the server closes (a deactivated operator, 4401) makes the app ask whether the session still holds; stop() does not', async () => {
    const { stream, dropped } = await openedStream();
    expect(stream.status).toBe('online');
    FakeSocket.last!.close(4401);
    expect(dropped).toHaveBeenCalledTimes(1);
    expect(stream.status).toBe('offline');
    await vi.advanceTimersByTimeAsync(600);
    expect(stream.status).toBe('online');
    stream.stop();
    expect(dropped).toHaveBeenCalledTimes(1);
  });

  it('a link gone quiet (no answer to a ping, no close either) counts as dropped and reconnects where it left off', async () => {
    const { stream, dropped } = await openedStream();
    const first = FakeSocket.last!;
    first.onmessage?.({ data: JSON.stringify({ type: 'hello', id: '5-0', data: {} }) });
    await vi.advanceTimersByTimeAsync(15_000);
    first.onmessage?.({ data: JSON.stringify({ type: 'pong', data: {} }) });
    await vi.advanceTimersByTimeAsync(15_000);
    expect(stream.status).toBe('online');
    // The next ping gets nothing back: the network went away without a word.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(stream.status).toBe('offline');
    expect(dropped).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(600);
    expect(FakeSocket.last).not.toBe(first);
    expect(FakeSocket.last!.url.searchParams.get('since')).toBe('5-0');
    expect(stream.status).toBe('online');
    stream.stop();
  });
});
