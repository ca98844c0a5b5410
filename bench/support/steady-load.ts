import { Agent, request } from 'node:http';
import { percentile } from './stats';

export interface SteadyLoadResult {
  readonly answered: number;
  readonly refused: number;
  readonly p50: number;
  readonly p99: number;
}

/**
 * GETs `url` at `rate` requests/s, evenly spaced, for `seconds`: an open loop, which sends on time
 * whether or not earlier answers have come (autocannon's rate limit sends each second's requests
 * back to back, so its latencies are those of a burst). Each latency runs from the moment the
 * request was due, so that a stall on either side is counted in full. 503s are counted as refused.
 * A first second at the same rate opens the connections and is not counted.
 */
export async function steadyLoad(url: string, headers: Record<string, string>, rate: number, seconds: number): Promise<SteadyLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const latencies: number[] = [];
  let refused = 0;
  const get = (due: number, counted: boolean) =>
    new Promise<void>((resolve, reject) => {
      const call = request(url, { agent, headers }, (response) => {
        response.resume();
        response.on('end', () => {
          if (response.statusCode !== 200 && response.statusCode !== 503) {
            reject(new Error(`GET ${url}: ${response.statusCode}`));
            return;
          }
          if (counted) {
            refused += response.statusCode === 503 ? 1 : 0;
            latencies.push(performance.now() - due);
          }
          resolve();
        });
      });
      call.on('error', reject);
      call.end();
    });
  const calls: Promise<void>[] = [];
  const start = performance.now();
  const total = rate * (seconds + 1);
  for (let sent = 0; sent < total; ) {
    const now = performance.now();
    for (; sent < total && start + (sent * 1000) / rate <= now; sent += 1) {
      calls.push(get(start + (sent * 1000) / rate, sent >= rate));
    }
    // A timer, not setImmediate: a spinning sender would take a core from the api it measures.
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(calls);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { answered: latencies.length - refused, refused, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}
