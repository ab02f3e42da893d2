/** Percentiles and small helpers shared by the scenarios. */

/** Sorts in place and returns the p-th percentile (nearest rank), or NaN when empty. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export interface Summary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarize(values: number[]): Summary {
  const sorted = Float64Array.from(values).sort();
  const list = sorted as unknown as number[];
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    count: sorted.length,
    p50: round(percentile(list, 50)),
    p95: round(percentile(list, 95)),
    p99: round(percentile(list, 99)),
    max: round(list.length ? sorted[sorted.length - 1]! : Number.NaN),
  };
}

/** About `points` (x = latency ms, y = fraction) points of the empirical CDF, for charts. */
export function cdf(values: number[], points = 200): Array<{ ms: number; fraction: number }> {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return [];
  const out: Array<{ ms: number; fraction: number }> = [];
  for (let k = 0; k <= points; k++) {
    const fraction = k / points;
    const i = Math.min(sorted.length - 1, Math.floor(fraction * (sorted.length - 1)));
    out.push({ ms: Math.round(sorted[i]! * 1000) / 1000, fraction });
  }
  return out;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Waits until a server process is nearly idle (under 5% of a core over 300 ms, at most
 * `maxMs`), so work left over from one scenario (leave bookkeeping, snapshot stores)
 * does not land in the next one's figures.
 */
export async function settle(cpuSeconds: () => number, maxMs = 15_000): Promise<void> {
  const until = performance.now() + maxMs;
  while (performance.now() < until) {
    const before = cpuSeconds();
    await sleep(300);
    if (cpuSeconds() - before < 0.015) return;
  }
}
