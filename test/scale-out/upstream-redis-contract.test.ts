import { readFileSync } from 'node:fs';
import { Redis } from '@hocuspocus/extension-redis';
import type { Hocuspocus } from '@hocuspocus/server';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ScribleRedis } from '../../extensions/redis.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { testPrefix } from '../helpers/cluster.ts';
import { REDIS_URL } from '../helpers/db.ts';

/**
 * `extensions/redis.ts` subclasses `@hocuspocus/extension-redis` and reaches into its
 * internals: fields it does not document, hooks it overrides, and the channel and lock
 * key names it re-creates. The version is pinned exactly in package.json; this test
 * fails when an upgrade changes any of what we rely on, so the upgrade is done knowingly.
 */
const PINNED = '4.7.0';
const packageJson = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));

/** Upstream's private members, as the subclass and this test see them. */
interface UpstreamInternals {
  pub: { status: string; publish: unknown };
  sub: { status: string; subscribe: unknown };
  redlock: { acquire: unknown };
  locks: Map<string, unknown>;
  messagePrefix: Buffer;
  instance: Hocuspocus;
  configuration: { prefix: string; lockTimeout: number; disconnectDelay: number };
  pubKey(name: string): string;
  subKey(name: string): string;
  lockKey(name: string): string;
  encodeMessage(message: Uint8Array): Buffer;
  decodeMessage(buffer: Buffer): [string, Buffer];
  onConfigure(payload: { instance: Hocuspocus }): Promise<void>;
  // Ours:
  channel(name: string): string;
  lockResource(name: string): string;
}

function extension(prefix = testPrefix(), identifier = 'contract-instance') {
  const { redisTimings } = loadConfig({});
  const redis = new ScribleRedis({
    url: REDIS_URL,
    prefix,
    identifier,
    log: createLogger('silent'),
    storeRemoteChanges: true,
    ...redisTimings,
  });
  onTestFinished(() => redis.onDestroy());
  return redis as unknown as UpstreamInternals;
}

describe('@hocuspocus/extension-redis internals we rely on', () => {
  it('is pinned to the exact version this contract was checked against', () => {
    expect(packageJson('../../package.json').dependencies['@hocuspocus/extension-redis']).toBe(PINNED);
    expect(packageJson('../../node_modules/@hocuspocus/extension-redis/package.json').version).toBe(PINNED);
  });

  it('names channels and lock keys the way we re-create them', () => {
    const prefix = testPrefix();
    const redis = extension(prefix);
    for (const room of ['room-1', 'a:b', 'ünïcode']) {
      expect(redis.pubKey(room)).toBe(`${prefix}:${room}`);
      expect(redis.subKey(room)).toBe(redis.channel(room));
      expect(redis.pubKey(room)).toBe(redis.channel(room));
      expect(redis.lockKey(room)).toBe(redis.lockResource(room));
    }
  });

  it('frames messages as our publish does: the identifier prefix, then the message', () => {
    const redis = extension(undefined, 'instance-7');
    expect(redis.messagePrefix).toEqual(Buffer.concat([Buffer.from([10]), Buffer.from('instance-7')]));
    const message = new Uint8Array([1, 2, 3]);
    expect(redis.encodeMessage(message)).toEqual(Buffer.concat([redis.messagePrefix, Buffer.from(message)]));
    expect(redis.decodeMessage(redis.encodeMessage(message))).toEqual(['instance-7', Buffer.from(message)]);
  });

  it('has the fields and configuration the subclass reads', async () => {
    const redis = extension();
    expect(typeof redis.pub.publish).toBe('function');
    expect(typeof redis.sub.subscribe).toBe('function');
    expect(typeof redis.pub.status).toBe('string');
    expect(typeof redis.redlock.acquire).toBe('function');
    expect(redis.locks).toBeInstanceOf(Map);
    expect(redis.configuration).toMatchObject({ lockTimeout: 3_000, disconnectDelay: expect.any(Number) });
    const instance = { documents: new Map() } as unknown as Hocuspocus;
    await redis.onConfigure({ instance });
    expect(redis.instance).toBe(instance);
  });

  it('still has every hook the subclass overrides and calls through super', () => {
    for (const hook of [
      'afterLoadDocument',
      'onChange',
      'afterUnloadDocument',
      'onDestroy',
      'onAwarenessUpdate',
      'beforeBroadcastStateless',
      'onStoreDocument',
      'afterStoreDocument',
    ]) {
      expect(typeof Redis.prototype[hook as keyof Redis], hook).toBe('function');
    }
  });
});
