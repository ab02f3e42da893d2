import type { Extension } from '@hocuspocus/server';
import { Redis as IORedis } from 'ioredis';
import { ScribleRedis } from '../extensions/redis.ts';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { RedisOnlineRegistry } from './presence/redis-online-registry.ts';
import type { OnlineRegistry } from './presence/online-registry.ts';

/** What `createServer` plugs in when REDIS_URL is set. */
export interface ScaleOut {
  extension: Extension;
  online: OnlineRegistry;
  readinessCheck: { name: string; check: () => Promise<void> };
}

/**
 * The Redis side of running several instances: Hocuspocus fan-out (documents and
 * awareness) through `ScribleRedis`, and presence shared through a Redis hash per
 * room. Three connections per instance: publish, subscribe, and commands.
 *
 * @param config - needs `redisUrl`, `redisPrefix`, `instanceId`, `presenceTtlMs`.
 * @returns the extension, the registry and a readiness check, or `undefined` without REDIS_URL.
 * @example const scaleOut = createScaleOut(config, log, metrics)
 */
export function createScaleOut(config: Config, log: Logger, metrics: Metrics): ScaleOut | undefined {
  if (!config.redisUrl) return undefined;
  const scaleLog = log.child({ component: 'scale-out' });
  // Commands fail at once while Redis is away (no offline queue), so presence
  // bookkeeping and readiness never wait on an outage.
  const commands = new IORedis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectionName: 'scrible-commands' });
  let down = false;
  commands.on('error', (error: Error) => scaleLog.debug({ err: error }, 'redis command client error'));
  // 'reconnecting', not 'close': a clean shutdown closes too, and is no outage.
  commands.on('reconnecting', () => {
    if (!down) scaleLog.warn('redis connection lost: serving local clients only until it returns');
    down = true;
  });
  commands.on('ready', () => {
    if (down) scaleLog.info('redis connection restored');
    down = false;
  });
  return {
    extension: new ScribleRedis({
      url: config.redisUrl,
      prefix: config.redisPrefix,
      identifier: config.instanceId,
      log: scaleLog,
      storeRemoteChanges: true,
      ...config.redisTimings,
    }),
    online: new RedisOnlineRegistry({
      redis: commands,
      prefix: config.redisPrefix,
      instanceId: config.instanceId,
      log: scaleLog,
      ttlMs: config.presenceTtlMs,
      observeSeconds: (seconds) => metrics.redisCommandSeconds.observe(seconds),
    }),
    readinessCheck: {
      name: 'redis',
      check: async () => {
        if (commands.status !== 'ready') throw new Error(`redis ${commands.status}`);
        const started = performance.now();
        await commands.ping();
        metrics.redisCommandSeconds.observe((performance.now() - started) / 1000);
      },
    },
  };
}
