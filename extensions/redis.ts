import { Redis, type Configuration as RedisConfiguration } from '@hocuspocus/extension-redis';
import {
  isTransactionOrigin,
  OutgoingMessage,
  type afterLoadDocumentPayload,
  type afterStoreDocumentPayload,
  type afterUnloadDocumentPayload,
  type beforeBroadcastStatelessPayload,
  type Document,
  type onAwarenessUpdatePayload,
  type onChangePayload,
  type onStoreDocumentPayload,
} from '@hocuspocus/server';
import { Redis as IORedis } from 'ioredis';
import type { Logger } from '../src/log.ts';

export interface ScaleOutConfiguration {
  /** `redis://…` from REDIS_URL. */
  url: string;
  /** Key and channel namespace (REDIS_PREFIX), so several clusters or tests share one Redis. */
  prefix: string;
  /** This instance's name in Redis messages (INSTANCE_ID or the host name). */
  identifier: string;
  log: Logger;
  /** Longest a store waits for another instance's lock on the same room before storing anyway (REDIS_LOCK_WAIT_MS). @default 5000 (ms) */
  lockWaitMs: number;
  /** How long a store lock lives if its holder dies without releasing it (REDIS_LOCK_TIMEOUT_MS). @default 3000 (ms) */
  lockTimeoutMs: number;
  /**
   * Also store changes that arrived only through Redis. The originating instance
   * normally stores them, but if it dies before its debounce fires, this copy is
   * the only one left. Costs one extra snapshot per debounce while a room is split
   * across instances, which the load balancer's room hashing keeps rare. @default true
   */
  storeRemoteChanges: boolean;
  /** Longest a room goes, while it changes, without a state-vector exchange with its peers (REDIS_ANTI_ENTROPY_MS). @default 1000 (ms) */
  antiEntropyMs: number;
  /** Upper bound on Redis work a hook waits for, so an outage never stalls a load or a store (REDIS_WAIT_MS). @default 2000 (ms) */
  redisWaitMs: number;
}

/**
 * Cross-instance fan-out on `@hocuspocus/extension-redis`, with these changes:
 *
 * - **Updates travel in one hop.** Each change is published as the update itself;
 *   upstream's state-vector exchange runs at most once per `antiEntropyMs`.
 * - **Relayed changes are stored too** (`storeRemoteChanges`), so a change outlives
 *   its originating instance dying before its debounce fired.
 * - **Stores are never dropped.** Upstream skips a store when another instance
 *   holds the room's lock, which can lose the loser's newest change. Here a store
 *   waits for the lock (one instance stores a room at a time) and, if the lock
 *   cannot be had, stores anyway: `SnapshotStore.append` numbers versions inside
 *   the INSERT under a unique constraint, so versions never collide.
 * - **Redis outages are survived.** While Redis is away the instance serves its own
 *   clients alone (no publishes queue up, loads and stores don't wait for Redis).
 *   When Redis is back, every loaded room re-announces its state vector and asks
 *   for awareness, so rooms that diverged converge without a restart.
 */
export class ScribleRedis extends Redis {
  extensionName = 'scrible-redis';
  private readonly options: ScaleOutConfiguration;
  private readonly onReady = () => void this.resyncAfterReconnect();
  /** Pending SyncStep1 announcements, one per room (see onChange). */
  private readonly antiEntropy = new Map<string, NodeJS.Timeout>();

  constructor(options: ScaleOutConfiguration) {
    super({
      prefix: options.prefix,
      identifier: options.identifier,
      lockTimeout: options.lockTimeoutMs,
      createClient: () => createRedisClient(options.url),
    } satisfies Partial<RedisConfiguration>);
    this.options = options;
    for (const client of [this.pub, this.sub]) {
      client.on('ready', this.onReady);
      // Without a listener ioredis prints every failed reconnect; one line per state change is enough.
      client.on('error', (error: Error) => options.log.debug({ err: error }, 'redis client error'));
    }
  }

  /**
   * A peer's message that could not be applied or answered (the patched upstream routes
   * its listener's and its replies' failures here); the anti-entropy exchange repairs it.
   */
  protected override onIncomingMessageError(error: unknown): void {
    this.options.log.warn({ err: error }, 'redis: a message from another instance could not be handled');
  }

  /** Both clients are connected: publishes and the store lock work. */
  get redisUp(): boolean {
    return this.pub.status === 'ready' && this.sub.status === 'ready';
  }

  override async afterLoadDocument(payload: afterLoadDocumentPayload): Promise<void> {
    // During an outage the room opens from the database alone; the reconnect resync
    // subscribes it and exchanges state with the other instances later.
    if (!this.redisUp) return;
    await withTimeout(super.afterLoadDocument(payload), this.options.redisWaitMs).catch((error: unknown) => {
      this.options.log.warn({ err: error, roomId: payload.documentName }, 'redis: initial sync with other instances incomplete');
    });
  }

  override async onChange(payload: onChangePayload): Promise<void> {
    const origin = payload.transactionOrigin;
    if (isTransactionOrigin(origin) && origin.source === 'redis') {
      if (this.options.storeRemoteChanges) {
        void this.instance.storeDocumentHooks(payload.document, {
          instance: this.instance,
          clientsCount: payload.document.getConnectionsCount(),
          document: payload.document,
          documentName: payload.documentName,
          lastContext: payload.context,
          lastTransactionOrigin: origin,
        });
      }
      return;
    }
    // Nothing would deliver a publish queued now; the reconnect resync covers it.
    if (!this.redisUp) return;
    // Upstream announces a change as a SyncStep1 and each peer fetches it with a
    // reply round trip: three Redis hops per change. Publishing the update itself
    // delivers it in one. The SyncStep1 exchange still runs, at most once per
    // antiEntropyMs per room, to repair anything a peer missed.
    const { documentName, update } = payload;
    const message = new OutgoingMessage(documentName).createSyncMessage().writeUpdate(update);
    this.publish(documentName, message).catch((error: unknown) => {
      this.options.log.debug({ err: error, roomId: documentName }, 'redis: publishing an update failed; anti-entropy repairs it');
    });
    if (!this.antiEntropy.has(documentName)) {
      this.antiEntropy.set(
        documentName,
        setTimeout(() => {
          this.antiEntropy.delete(documentName);
          if (this.redisUp && this.instance.documents.get(documentName) === payload.document) void super.onChange(payload);
        }, this.options.antiEntropyMs),
      );
    }
  }

  override async afterUnloadDocument(payload: afterUnloadDocumentPayload): Promise<void> {
    clearTimeout(this.antiEntropy.get(payload.documentName));
    this.antiEntropy.delete(payload.documentName);
    await super.afterUnloadDocument(payload);
  }

  override async onDestroy(): Promise<void> {
    for (const timer of this.antiEntropy.values()) clearTimeout(timer);
    this.antiEntropy.clear();
    await super.onDestroy();
  }

  override async onAwarenessUpdate(payload: onAwarenessUpdatePayload): Promise<void> {
    if (!this.redisUp) return;
    await super.onAwarenessUpdate(payload);
  }

  override async beforeBroadcastStateless(payload: beforeBroadcastStatelessPayload): Promise<number> {
    // Stateless broadcasts are fire-and-forget; don't queue them for a Redis that is away.
    if (!this.redisUp) return 0;
    return super.beforeBroadcastStateless(payload);
  }

  override async onStoreDocument({ documentName }: onStoreDocumentPayload): Promise<void> {
    const { log, lockWaitMs } = this.options;
    if (!this.redisUp) {
      log.warn({ roomId: documentName }, 'redis unavailable: storing without the cross-instance lock');
      return;
    }
    const resource = this.lockResource(documentName);
    const retryDelay = 50;
    try {
      const lock = await withTimeout(
        this.redlock.acquire([resource], this.configuration.lockTimeout, {
          retryCount: Math.ceil(lockWaitMs / retryDelay),
          retryDelay,
          retryJitter: 25,
        }),
        lockWaitMs + this.options.redisWaitMs,
      );
      this.locks.set(resource, { lock });
    } catch (error) {
      // Dropping the store could lose this instance's newest change; a concurrent
      // store is harmless (versions are allocated by the database).
      log.warn({ err: error, roomId: documentName }, 'redis: store lock not acquired; storing anyway');
    }
  }

  override async afterStoreDocument(payload: afterStoreDocumentPayload): Promise<void> {
    if (this.redisUp) {
      // Upstream releases the lock and, for local (direct-connection) changes,
      // waits disconnectDelay so their sync can finish; bounded in case Redis
      // goes away meanwhile.
      const bound = this.configuration.disconnectDelay + this.options.redisWaitMs;
      await withTimeout(super.afterStoreDocument(payload), bound).catch(() => undefined);
      return;
    }
    const resource = this.lockResource(payload.documentName);
    const held = this.locks.get(resource);
    this.locks.delete(resource);
    // A lock taken just before the outage is released when Redis is back, or
    // expires after lockTimeoutMs; the save mutex must not wait for either.
    held?.lock.release().catch(() => undefined);
  }

  /** (Re-)subscribes every loaded room and exchanges state and awareness with peers. */
  private async resyncAfterReconnect(): Promise<void> {
    // Also on the first connection: rooms opened before it (a client faster than
    // Redis at start-up) were loaded without a subscription.
    if (!this.redisUp || !this.instance) return;
    const documents = [...this.instance.documents.values()];
    if (documents.length === 0) return;
    this.options.log.info({ rooms: documents.length }, 'redis connected: resyncing loaded rooms with other instances');
    for (const document of documents) {
      try {
        await this.sub.subscribe(this.channel(document.name));
        await this.publish(document.name, new OutgoingMessage(document.name).createSyncMessage().writeFirstSyncStepFor(document));
        await this.publish(document.name, new OutgoingMessage(document.name).writeQueryAwareness());
        if (document.getConnectionsCount() > 0) this.publishAwareness(document);
      } catch (error) {
        this.options.log.warn({ err: error, roomId: document.name }, 'redis: resync failed; retried when Redis reconnects');
      }
    }
  }

  private publishAwareness(document: Document): void {
    const clients = [...document.awareness.getStates().keys()];
    if (clients.length === 0) return;
    const message = new OutgoingMessage(document.name).createAwarenessUpdateMessage(document.awareness, clients);
    void this.publish(document.name, message).catch(() => undefined);
  }

  private publish(documentName: string, message: OutgoingMessage): Promise<number> {
    return this.pub.publish(this.channel(documentName), Buffer.concat([this.messagePrefix, Buffer.from(message.toUint8Array())]));
  }

  // Same names as the upstream extension's (private) key helpers.
  private channel(documentName: string): string {
    return `${this.configuration.prefix}:${documentName}`;
  }

  private lockResource(documentName: string): string {
    return `${this.channel(documentName)}:lock`;
  }
}

/**
 * An ioredis client that waits for Redis instead of failing commands after a few
 * reconnect attempts: subscriptions made while Redis is down happen when it returns.
 * Callers that must not wait check `status` first or bound the wait.
 */
export function createRedisClient(url: string): IORedis {
  return new IORedis(url, { maxRetriesPerRequest: null, connectionName: 'scrible' });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
