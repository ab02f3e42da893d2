/**
 * Splits a Scrible server's acknowledgement latency from its /metrics: how long the
 * durable-log appends took (`scrible_log_append_seconds`, receipt to commit, over the
 * phase between two scrapes) and how late its event loop ran
 * (`scrible_nodejs_eventloop_lag_p99_seconds`, which prom-client resets on each scrape).
 * An acknowledgement waits for both: its append, then a turn of the loop to send it.
 */
export interface AppendTiming {
  appends: number;
  /** Share of the phase's appends committed within each bucket bound (seconds). */
  within: Record<string, number>;
  eventLoopLagP99Ms: number | undefined;
}

type Buckets = Map<string, number>;

export class AppendTimer {
  private readonly url: string;
  private start: Buckets | undefined;

  constructor(wsUrl: string) {
    const url = new URL(wsUrl);
    url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
    url.pathname = '/metrics';
    this.url = url.toString();
  }

  async begin(): Promise<void> {
    this.start = appendBuckets(await this.scrape());
  }

  async end(): Promise<AppendTiming> {
    const text = await this.scrape();
    const end = appendBuckets(text);
    const count = (bounds: Buckets, le: string) => bounds.get(le) ?? 0;
    const appends = count(end, '+Inf') - count(this.start!, '+Inf');
    const within: Record<string, number> = {};
    for (const le of ['0.005', '0.01', '0.025', '0.05', '0.1']) {
      within[le] = appends > 0 ? (count(end, le) - count(this.start!, le)) / appends : 0;
    }
    const lag = /^scrible_nodejs_eventloop_lag_p99_seconds (\S+)$/m.exec(text);
    return { appends, within, eventLoopLagP99Ms: lag ? Number(lag[1]) * 1000 : undefined };
  }

  private async scrape(): Promise<string> {
    const response = await fetch(this.url);
    if (!response.ok) throw new Error(`${this.url}: ${response.status}`);
    return response.text();
  }
}

function appendBuckets(text: string): Buckets {
  const buckets: Buckets = new Map();
  for (const match of text.matchAll(/^scrible_log_append_seconds_bucket\{le="([^"]+)"\} (\S+)$/gm))
    buckets.set(match[1]!, Number(match[2]));
  return buckets;
}

export function describeAppendTiming(timing: AppendTiming): string {
  const within = Object.entries(timing.within)
    .map(([le, share]) => `≤ ${Number(le) * 1000} ms ${(share * 100).toFixed(2)}%`)
    .join(', ');
  const lag = timing.eventLoopLagP99Ms === undefined ? '' : `; event-loop delay p99 ${timing.eventLoopLagP99Ms.toFixed(1)} ms`;
  return `durable appends (${timing.appends}, receipt to commit): ${within}${lag}`;
}
