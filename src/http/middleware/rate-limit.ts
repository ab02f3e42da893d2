import type { MiddlewareHandler } from 'hono';
import { KeyedRateLimiter } from '../../limits/token-bucket.ts';
import { logSecurityEvent, type Logger } from '../../log.ts';
import type { AppEnv } from '../app-env.ts';
import { ApiError } from '../errors.ts';

export interface RateLimitOptions {
  /** Sustained requests per second per client address. */
  ratePerSecond: number;
  /** Requests allowed at once before the rate applies. */
  burst: number;
  log: Logger;
  /** Names the limit in the 429 message and the security log. */
  name: string;
}

/** Per-client-address token bucket; over it: 429 with Retry-After. */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AppEnv> {
  const limiter = new KeyedRateLimiter(options);
  const retryAfter = String(Math.max(1, Math.ceil(1 / options.ratePerSecond)));
  return async function rateLimit(c, next) {
    const ip = c.get('clientIp');
    if (!limiter.take(ip)) {
      logSecurityEvent(options.log, { type: 'rate-limited', ip, reason: options.name });
      c.header('Retry-After', retryAfter);
      throw new ApiError(429, 'rate-limited', `Too many requests (${options.name}); slow down`);
    }
    await next();
  };
}
