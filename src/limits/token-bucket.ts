/**
 * A token bucket: `ratePerSecond` tokens refill continuously up to `burst`.
 * Allocation-free and O(1) per call, so it can sit on the per-message hot path.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private readonly ratePerMs: number;
  private readonly burst: number;

  constructor(ratePerSecond: number, burst: number, now = performance.now()) {
    this.ratePerMs = ratePerSecond / 1000;
    this.burst = burst;
    this.tokens = burst;
    this.updatedAt = now;
  }

  /** @returns true when a token was available (and takes it). */
  take(now = performance.now()): boolean {
    this.tokens = Math.min(this.burst, this.tokens + (now - this.updatedAt) * this.ratePerMs);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * Token buckets per key (client address, user) for REST limits, with idle buckets
 * swept so the map cannot grow without bound.
 */
export class KeyedRateLimiter {
  private readonly buckets = new Map<string, { bucket: TokenBucket; lastSeen: number }>();
  private readonly ratePerSecond: number;
  private readonly burst: number;
  private readonly idleMs: number;
  private lastSweep = 0;

  constructor(options: { ratePerSecond: number; burst: number }) {
    this.ratePerSecond = options.ratePerSecond;
    this.burst = options.burst;
    // A bucket idle long enough to have refilled completely is equivalent to a new one.
    this.idleMs = (options.burst / options.ratePerSecond) * 1000;
  }

  take(key: string, now = performance.now()): boolean {
    if (now - this.lastSweep > 60_000) this.sweep(now);
    let entry = this.buckets.get(key);
    if (!entry) this.buckets.set(key, (entry = { bucket: new TokenBucket(this.ratePerSecond, this.burst, now), lastSeen: now }));
    entry.lastSeen = now;
    return entry.bucket.take(now);
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [key, entry] of this.buckets) if (now - entry.lastSeen > this.idleMs) this.buckets.delete(key);
  }
}
