import { request, Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { summarize, type Summary } from './stats';

export type AtRate = { rate: number; seconds: number };

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/**
 * Sends `rate` requests a second for `seconds`, each timed from its due time to its answer (`send`
 * gets the due time too). Open loop: a slow answer never delays the next request.
 */
export async function atRate({ rate, seconds }: AtRate, send: (n: number, due: number) => Promise<number>): Promise<{ latency: Summary; failed: number }> {
  const total = rate * seconds;
  const latencies: number[] = [];
  let failed = 0;
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let n = 0; n < total; n++) {
    const due = started + (n * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    inFlight.push(
      send(n, due).then(
        (status) => {
          if (status === 200) latencies.push(performance.now() - due);
          else failed++;
        },
        () => void failed++,
      ),
    );
  }
  await Promise.all(inFlight);
  return { latency: summarize(latencies), failed };
}

/** POSTs `body` on a kept-alive connection and resolves with the status once the answer has been read. */
export function post(url: URL, body: Buffer, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length, ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}
