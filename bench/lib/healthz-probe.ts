/**
 * The longest stall of a server's event loop as a client sees it: a worker thread asks
 * GET /healthz every 10 ms and keeps each request's send time and response time.
 */
import { Worker } from 'node:worker_threads';

export interface ProbeSample {
  /** When the request was sent, on {@link hrMs}'s clock. */
  sentMs: number;
  latencyMs: number;
  ok: boolean;
}

/** Milliseconds on the monotonic clock every thread of the process shares. */
export const hrMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export interface HealthzProbe {
  /** Stops asking (after the request in flight) and returns every sample. */
  stop(): Promise<ProbeSample[]>;
}

export function startHealthzProbe(httpUrl: string, options: { intervalMs?: number; timeoutMs?: number } = {}): HealthzProbe {
  const worker = new Worker(new URL('./healthz-probe-worker.ts', import.meta.url), {
    workerData: { url: `${httpUrl}/healthz`, intervalMs: options.intervalMs ?? 10, timeoutMs: options.timeoutMs ?? 30_000 },
  });
  const samples = new Promise<ProbeSample[]>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    stop: async () => {
      worker.postMessage('stop');
      const result = await samples;
      await worker.terminate();
      return result;
    },
  };
}

/**
 * The slowest response among the requests in flight at any time in [fromMs, toMs]:
 * one that was sent before the window and answered inside it counts too.
 */
export function worstLatency(
  samples: ProbeSample[],
  fromMs: number,
  toMs: number,
): { worstMs: number; worstSentMs: number; requests: number; failed: number } {
  const inside = samples.filter((s) => s.sentMs <= toMs && s.sentMs + s.latencyMs >= fromMs);
  const worst = inside.reduce<ProbeSample | undefined>((max, s) => (max && max.latencyMs >= s.latencyMs ? max : s), undefined);
  return {
    worstMs: worst?.latencyMs ?? 0,
    worstSentMs: worst?.sentMs ?? Number.NaN,
    requests: inside.length,
    failed: inside.filter((s) => !s.ok).length,
  };
}
