/**
 * The probe's own thread: GET /healthz every 10 ms over one keep-alive connection,
 * one request at a time, so a request sent just before the server stalls waits out
 * the whole stall. Runs off the runner's event loop, whose own work (building attack
 * frames, reading big frames) must not count as the server's.
 */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { hrMs, type ProbeSample } from './healthz-probe.ts';

const { url, intervalMs, timeoutMs } = workerData as { url: string; intervalMs: number; timeoutMs: number };
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let running = true;
parentPort!.on('message', () => (running = false));

function get(): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(url, { agent, timeout: timeoutMs }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode === 200));
      response.once('error', () => resolve(false));
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(false));
  });
}

const samples: ProbeSample[] = [];
while (running) {
  const sentMs = hrMs();
  const ok = await get();
  const latencyMs = hrMs() - sentMs;
  samples.push({ sentMs, latencyMs, ok });
  const wait = intervalMs - latencyMs;
  await new Promise((resolve) => setTimeout(resolve, Math.max(wait, ok ? 0 : intervalMs)));
}
agent.destroy();
parentPort!.postMessage(samples);
