import { Redis as IORedis } from 'ioredis';
import type { Logger } from '../log.ts';

/**
 * `access`: who may do what changed (a role, a removal, a password, made private, a
 * deletion): live connections are re-checked. `members`: someone was let in or the
 * room was opened up; nothing live loses anything, only cached access decisions
 * (`RoomAccessCache`) must be read again.
 */
export type AccessChangeKind = 'access' | 'members';

/** Runs on every instance for every room whose access changed. */
export type AccessChangeHandler = (roomId: string, kind: AccessChangeKind) => void;

/**
 * Tells every instance that a room's access changed (members, roles, password,
 * visibility, deletion), so each re-checks its live connections of that room.
 */
export interface AccessChanges {
  publish(roomId: string, kind?: AccessChangeKind): Promise<void>;
  subscribe(handler: AccessChangeHandler): void;
  /**
   * Since when (performance.now()) every change made anywhere reaches this instance;
   * undefined while some could be missed (Redis away). What was cached before that
   * moment may be stale.
   */
  hearingAllSince(): number | undefined;
  close(): Promise<void>;
}

/** One instance: the change is handled in this process only. */
export class LocalAccessChanges implements AccessChanges {
  private readonly handlers: AccessChangeHandler[] = [];

  async publish(roomId: string, kind: AccessChangeKind = 'access'): Promise<void> {
    for (const handler of this.handlers) handler(roomId, kind);
  }

  hearingAllSince(): number {
    return 0;
  }

  subscribe(handler: AccessChangeHandler): void {
    this.handlers.push(handler);
  }

  async close(): Promise<void> {
    this.handlers.length = 0;
  }
}

export interface RedisAccessChangesOptions {
  url: string;
  /** REDIS_PREFIX: the channel is `<prefix>:access-changes`. */
  prefix: string;
  instanceId: string;
  log: Logger;
}

/**
 * Several instances: the change is handled here at once (so this instance never
 * depends on Redis for its own connections) and published on a Redis channel for
 * the others, which skip their own messages.
 */
export class RedisAccessChanges implements AccessChanges {
  private readonly local = new LocalAccessChanges();
  private readonly publisher: IORedis;
  private readonly subscriber: IORedis;
  private readonly channel: string;
  private readonly options: RedisAccessChangesOptions;
  private subscribedAt: number | undefined;

  constructor(options: RedisAccessChangesOptions) {
    this.options = options;
    this.channel = `${options.prefix}:access-changes`;
    // Publishing fails at once while Redis is away instead of queueing: the change is
    // already enforced here, and a late message would be no better than none.
    this.publisher = new IORedis(options.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectionName: 'scrible-access-pub' });
    // We subscribe on every 'ready' ourselves, with a handler: ioredis's own resubscribe
    // leaves its command's promise unhandled, and when Redis goes away again before
    // answering, the command is failed after 20 reconnects and the rejection ends the
    // process (seen in the fault test, seed 20).
    this.subscriber = new IORedis(options.url, { connectionName: 'scrible-access-sub', autoResubscribe: false });
    this.publisher.on('error', (error: Error) => options.log.debug({ err: error }, 'redis access publisher error'));
    this.subscriber.on('error', (error: Error) => options.log.debug({ err: error }, 'redis access subscriber error'));
    this.subscriber.on('ready', () => {
      this.subscriber.subscribe(this.channel).then(
        () => (this.subscribedAt = performance.now()),
        (error: unknown) => options.log.warn({ err: error }, 'cannot subscribe to access changes; retried on reconnect'),
      );
    });
    this.subscriber.on('close', () => (this.subscribedAt = undefined));
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      const change = parseChange(message);
      if (!change) return options.log.warn({ channel }, 'ignoring a malformed access-change message');
      if (change.from !== options.instanceId) void this.local.publish(change.roomId, change.kind);
    });
  }

  async publish(roomId: string, kind: AccessChangeKind = 'access'): Promise<void> {
    await this.local.publish(roomId, kind);
    try {
      await this.publisher.publish(this.channel, JSON.stringify({ roomId, from: this.options.instanceId, kind }));
    } catch (error) {
      this.options.log.warn({ err: error, roomId }, 'access change not published to other instances: redis unavailable');
    }
  }

  subscribe(handler: AccessChangeHandler): void {
    this.local.subscribe(handler);
  }

  hearingAllSince(): number | undefined {
    return this.subscribedAt;
  }

  async close(): Promise<void> {
    await this.local.close();
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }
}

function parseChange(message: string): { roomId: string; from: string; kind: AccessChangeKind } | undefined {
  try {
    const value: unknown = JSON.parse(message);
    if (typeof value !== 'object' || value === null) return undefined;
    const { roomId, from, kind } = value as Record<string, unknown>;
    if (typeof roomId !== 'string' || typeof from !== 'string') return undefined;
    // Anything but a known lighter kind counts as the full re-check.
    return { roomId, from, kind: kind === 'members' ? 'members' : 'access' };
  } catch {
    return undefined;
  }
}
