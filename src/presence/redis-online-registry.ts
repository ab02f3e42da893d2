import type { Redis } from 'ioredis';
import type { Logger } from '../log.ts';
import { distinctUsers, LocalOnlineRegistry, type OnlineRegistry, type OnlineUser } from './online-registry.ts';

export interface RedisOnlineRegistryOptions {
  /** A command client (not a subscriber); closed by `close()`. */
  redis: Redis;
  /** Key namespace (REDIS_PREFIX). */
  prefix: string;
  instanceId: string;
  log: Logger;
  /**
   * An instance whose heartbeat is older than this is dead and its entries are
   * ignored and deleted. The heartbeat is refreshed every third of it. @default 30000 (ms)
   */
  ttlMs: number;
  /** Receives each heartbeat's Redis round trip (for the latency metric). */
  observeSeconds?: (seconds: number) => void;
}

interface Entry extends OnlineUser {
  instance: string;
}

/**
 * Who is online in a room, across every instance. Each room is one Redis hash
 * (`<prefix>:online:<roomId>`, field `<instance>\0<session>`); each instance keeps a
 * heartbeat key (`<prefix>:alive:<instance>`) with a TTL. A clean disconnect deletes
 * its field at once; the entries of a killed instance are skipped as soon as its
 * heartbeat expires (well within 60 s) and deleted by the next reader.
 *
 * Redis is not the source of truth for this instance's own sessions: they are kept
 * locally and re-written with every heartbeat, so a Redis restart (or a flush)
 * heals itself, and during an outage `list` still answers with the local sessions.
 */
export class RedisOnlineRegistry implements OnlineRegistry {
  private readonly options: RedisOnlineRegistryOptions;
  private readonly local = new LocalOnlineRegistry();
  /** roomId -> sessionId -> user, for this instance only. */
  private readonly sessions = new Map<string, Map<string, OnlineUser>>();
  /** Clean disconnects that happened while Redis was away; deleted by the next heartbeat. */
  private readonly pendingRemovals: Array<[key: string, field: string]> = [];
  private readonly heartbeat: NodeJS.Timeout;
  private readonly onReady = () => void this.beat();

  constructor(options: Pick<RedisOnlineRegistryOptions, 'redis' | 'prefix' | 'instanceId' | 'log'> & Partial<RedisOnlineRegistryOptions>) {
    this.options = { ttlMs: 30_000, ...options };
    this.heartbeat = setInterval(() => void this.beat(), Math.max(100, Math.floor(this.options.ttlMs / 3)));
    this.heartbeat.unref();
    // First beat (and the repair after an outage) as soon as the connection is up:
    // readers treat entries without a heartbeat as a dead instance's.
    this.options.redis.on('ready', this.onReady);
    if (this.options.redis.status === 'ready') void this.beat();
  }

  async add(roomId: string, sessionId: string, user: OnlineUser): Promise<void> {
    await this.local.add(roomId, sessionId, user);
    let room = this.sessions.get(roomId);
    if (!room) this.sessions.set(roomId, (room = new Map()));
    room.set(sessionId, user);
    // While Redis is away the next heartbeat after its return writes the entry.
    if (this.options.redis.status !== 'ready') return;
    const key = this.roomKey(roomId);
    await this.options.redis
      .multi()
      .hset(key, this.field(sessionId), this.encode(user))
      .pexpire(key, this.options.ttlMs * 2)
      .exec();
  }

  async remove(roomId: string, sessionId: string): Promise<void> {
    await this.local.remove(roomId, sessionId);
    const room = this.sessions.get(roomId);
    room?.delete(sessionId);
    if (room?.size === 0) this.sessions.delete(roomId);
    const removal: [string, string] = [this.roomKey(roomId), this.field(sessionId)];
    if (this.options.redis.status !== 'ready') {
      this.pendingRemovals.push(removal);
      return;
    }
    await this.options.redis.hdel(...removal).catch((error: unknown) => {
      this.pendingRemovals.push(removal);
      throw error;
    });
  }

  /** Everyone online on any live instance; this instance's own sessions if Redis does not answer. */
  async list(roomId: string): Promise<OnlineUser[]> {
    const { redis, log } = this.options;
    if (redis.status !== 'ready') return this.local.list(roomId);
    try {
      const key = this.roomKey(roomId);
      const fields = await redis.hgetall(key);
      const entries = Object.entries(fields).flatMap(([field, value]) => {
        const entry = this.decode(value);
        return entry ? [{ field, entry }] : [];
      });
      const instances = [...new Set(entries.map(({ entry }) => entry.instance))];
      const alive = instances.length ? await redis.mget(instances.map((instance) => this.aliveKey(instance))) : [];
      const live = new Set(instances.filter((instance, i) => instance === this.options.instanceId || alive[i] !== null));
      const stale = entries.filter(({ entry }) => !live.has(entry.instance)).map(({ field }) => field);
      if (stale.length) await redis.hdel(key, ...stale);
      return distinctUsers([
        ...(await this.local.list(roomId)),
        ...entries.filter(({ entry }) => live.has(entry.instance)).map(({ entry }) => entry),
      ]);
    } catch (error) {
      log.warn({ err: error, roomId }, 'redis presence unavailable; listing this instance only');
      return this.local.list(roomId);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.options.redis.off('ready', this.onReady);
    const { redis } = this.options;
    if (redis.status === 'ready') {
      const cleanup = redis.multi().del(this.aliveKey(this.options.instanceId));
      for (const [roomId, room] of this.sessions) cleanup.hdel(this.roomKey(roomId), ...[...room.keys()].map((s) => this.field(s)));
      await cleanup.exec().catch(() => undefined);
    }
    this.sessions.clear();
    await this.local.close();
    redis.disconnect(false);
  }

  /** Refreshes this instance's heartbeat and re-writes its sessions (repairs a restarted Redis). */
  private async beat(): Promise<void> {
    const { redis, ttlMs, instanceId, log } = this.options;
    if (redis.status !== 'ready') return;
    const batch = redis.multi().set(this.aliveKey(instanceId), String(Date.now()), 'PX', ttlMs);
    for (const [key, field] of this.pendingRemovals.splice(0)) batch.hdel(key, field);
    for (const [roomId, room] of this.sessions) {
      const key = this.roomKey(roomId);
      for (const [sessionId, user] of room) batch.hset(key, this.field(sessionId), this.encode(user));
      batch.pexpire(key, ttlMs * 2);
    }
    const started = performance.now();
    await batch.exec().then(
      () => this.options.observeSeconds?.((performance.now() - started) / 1000),
      (error: unknown) => log.debug({ err: error }, 'presence heartbeat failed'),
    );
  }

  private roomKey(roomId: string): string {
    return `${this.options.prefix}:online:${roomId}`;
  }

  private aliveKey(instance: string): string {
    return `${this.options.prefix}:alive:${instance}`;
  }

  private field(sessionId: string): string {
    return `${this.options.instanceId}\0${sessionId}`;
  }

  private encode(user: OnlineUser): string {
    return JSON.stringify({ id: user.id, name: user.name, instance: this.options.instanceId } satisfies Entry);
  }

  private decode(value: string): Entry | undefined {
    try {
      const entry = JSON.parse(value) as Partial<Entry>;
      return typeof entry.id === 'string' && typeof entry.name === 'string' && typeof entry.instance === 'string'
        ? (entry as Entry)
        : undefined;
    } catch {
      return undefined;
    }
  }
}
