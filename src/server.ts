import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hocuspocus, type Extension } from '@hocuspocus/server';
import { Logger as HocuspocusLogger } from '@hocuspocus/extension-logger';
import { Auth } from '../extensions/auth.ts';
import { AwarenessIdentity } from '../extensions/awareness-identity.ts';
import { DurableLog } from '../extensions/durable-log.ts';
import { JoinCache } from '../extensions/join-cache.ts';
import { Limits } from '../extensions/limits.ts';
import { MetricsExtension } from '../extensions/metrics.ts';
import { Persistence } from '../extensions/persistence.ts';
import { KeepLoaded } from '../extensions/keep-loaded.ts';
import { LiveAccess } from '../extensions/live-access.ts';
import { Presence } from '../extensions/presence.ts';
import { ThumbnailRefresh } from '../extensions/thumbnail-refresh.ts';
import { createAssets, embedRoomAssets, type Assets } from './assets/index.ts';
import { loadOrCreateSecret } from './auth/secret-file.ts';
import { TokenService } from './auth/tokens.ts';
import type { Config } from './config.ts';
import { createDatabase, type Database } from './db/client.ts';
import { instrumentStore, SLOW_QUERY_MS } from './db/slow-queries.ts';
import { RoomStates } from './documents/room-state.ts';
import { RoomVersions } from './documents/room-versions.ts';
import { RoomDocuments } from './document-api/room-documents.ts';
import { SnapshotStore } from './documents/snapshot-store.ts';
import { UpdateLog } from './documents/update-log.ts';
import { createExports, type Exports } from './export-jobs/index.ts';
import { createApp } from './http/app.ts';
import type { AppDeps } from './http/app-env.ts';
import { createLogger, type Logger } from './log.ts';
import { Metrics } from './metrics.ts';
import { LocalOnlineRegistry, type OnlineRegistry } from './presence/online-registry.ts';
import { LocalAccessChanges, RedisAccessChanges, type AccessChanges } from './rooms/access-changes.ts';
import { InviteStore } from './rooms/invite-store.ts';
import { RoomAccessCache } from './rooms/access-cache.ts';
import { JoinRecorder } from './rooms/join-recorder.ts';
import { RoomStore } from './rooms/room-store.ts';
import { createScaleOut } from './scale-out.ts';
import { UserStore } from './users/user-store.ts';
import { compileTrustedProxies } from './net/origin.ts';
import { createWebhooks, type Webhooks } from './webhooks/index.ts';
import { SocketServer } from './ws/socket-server.ts';

export interface ScribleServer {
  app: ReturnType<typeof createApp>;
  hocuspocus: Hocuspocus;
  database: Database;
  tokens: TokenService;
  log: Logger;
  metrics: Metrics;
  exports: Exports;
  assets: Assets;
  /** Rooms' documents, read and changed like the REST document API does (tools, migrations). */
  documents: RoomDocuments;
  webhooks: Webhooks;
  /** Starts serving HTTP and WebSocket on config.host:config.port (0: any free port). */
  listen(): Promise<void>;
  /** Stores every loaded document, closes sockets, then the database. Safe to call twice. */
  close(): Promise<void>;
  /** `http://host:port`, once listening. */
  readonly url: string;
  /** `ws://host:port`, once listening. */
  readonly wsUrl: string;
}

/** Optional replacements, for tests and for the scale-out wiring. */
export interface ServerOverrides {
  log?: Logger;
  database?: Database;
  online?: OnlineRegistry;
  extensions?: Extension[];
  readinessChecks?: AppDeps['readinessChecks'];
  /**
   * Export job timings beyond what the EXPORT_* variables allow (tests: a poll every
   * 20 ms, a sweep every 200 ms); laid over `config.exportJobs`.
   */
  exports?: Partial<Config['exportJobs']>;
}

/**
 * Builds the whole server: one `node:http` server whose requests go to the Hono app
 * and whose WebSocket upgrades (any path) go to Hocuspocus. Migrations run here,
 * before anything is served.
 *
 * @param config - from `loadConfig(env)`.
 * @example const server = await createServer(loadConfig(process.env)); await server.listen()
 */
export async function createServer(config: Config, overrides: ServerOverrides = {}): Promise<ScribleServer> {
  const log = overrides.log ?? createLogger(config.logLevel, { instance: config.instanceId });
  const database = overrides.database ?? createDatabase({ ...config, log });
  await database.migrate();

  const secrets = config.jwtSecrets.length > 0 ? config.jwtSecrets : [loadOrCreateSecret(config.dataDir)];
  const tokens = new TokenService(secrets);
  const metrics = new Metrics();
  const rooms = instrumentStore(new RoomStore(database.db), 'rooms', log);
  const users = instrumentStore(new UserStore(database.db), 'users', log);
  const invites = instrumentStore(new InviteStore(database.db), 'invites', log);
  // Access changes reach every instance through Redis when there is one.
  const accessChanges: AccessChanges = config.redisUrl
    ? new RedisAccessChanges({ url: config.redisUrl, prefix: config.redisPrefix, instanceId: config.instanceId, log })
    : new LocalAccessChanges();
  const snapshots = instrumentStore(new SnapshotStore(database.db), 'snapshots', log);
  // With REDIS_URL: fan-out between instances and presence shared by all of them.
  const scaleOut = createScaleOut(config, log, metrics);
  const online = overrides.online ?? scaleOut?.online ?? new LocalOnlineRegistry();
  // The one owner of per-room state: persistence opens and drops it, others read it.
  const roomStates = new RoomStates();
  const keepLoaded = new KeepLoaded({ keepMs: config.roomKeepLoadedMs });
  const updates = instrumentStore(
    new UpdateLog({
      db: database.db,
      insertRows: database.appendUpdates,
      log,
      maxRetryMs: config.persistence.appendRetryMs,
      maxQueuedBytes: config.persistence.maxQueuedBytes,
      onFlush: (rows, ms) => {
        if (ms >= SLOW_QUERY_MS) log.warn({ statement: 'updates.append', rows, ms: Math.round(ms) }, 'slow database query');
      },
    }),
    'updates',
    log,
    // An append waits in the group-commit queue; its statement is timed in onFlush.
    { skip: ['append', 'close'] },
  );
  const webhooks = createWebhooks({ config, db: database.db, metrics, log });
  const persistence = new Persistence({
    db: database.db,
    rooms: roomStates,
    metrics,
    log,
    keepVersions: config.persistence.keepVersions,
  });

  // Renders in the export pool, made below with Hocuspocus (it reads loaded rooms from
  // it); nothing changes before the server listens, so `exports` is set by then.
  const thumbnailRefresh = new ThumbnailRefresh({
    debounceMs: config.thumbnailDebounceMs,
    log,
    refresh: (roomId) => exports.thumbnails.refresh(roomId),
  });

  const hocuspocus = new Hocuspocus({
    name: config.instanceId,
    quiet: true,
    timeout: config.limits.idleTimeoutMs,
    debounce: config.persistence.debounceMs,
    maxDebounce: config.persistence.maxDebounceMs,
    flushDelay: config.wsFlushDelayMs,
    awarenessFlushDelay: config.wsAwarenessFlushMs || null,
    extensions: [
      new Auth({ tokens, access: new RoomAccessCache({ rooms, changes: accessChanges }), metrics, log }),
      new LiveAccess({ changes: accessChanges, rooms, log }),
      new Limits({ maxDocumentBytes: config.limits.maxDocumentBytes, rooms: roomStates, metrics, log }),
      new AwarenessIdentity({ maxClientsPerConnection: config.limits.awarenessMaxClients, log }),
      persistence,
      // Joiners with nothing share one encoding of the document per version (join storms).
      new JoinCache({ rooms: roomStates }),
      ...(config.persistence.durableLog ? [new DurableLog({ updates, rooms: roomStates, metrics, log })] : []),
      new Presence({ joins: new JoinRecorder({ db: database.db, users, log }), online, log }),
      new MetricsExtension(metrics),
      keepLoaded,
      webhooks.roomUpdated,
      thumbnailRefresh,
      new HocuspocusLogger({
        log: (message: string) => log.debug({ component: 'hocuspocus' }, message),
        onChange: false,
        onRequest: false,
        onUpgrade: false,
        // Per connection: formatted even when debug is off (a few % of a connect);
        // joins and leaves are in room_participants.
        onConnect: false,
        onDisconnect: false,
      }),
      ...(scaleOut ? [scaleOut.extension] : []),
      ...(overrides.extensions ?? []),
    ],
  });

  let boundPort = config.port;
  const host = config.host;
  const publicUrl = () => config.publicUrl ?? `http://localhost:${boundPort}`;
  const assets = createAssets({ config, db: database.db, log, hocuspocus });
  const exports = createExports({
    config: { ...config, exportJobs: { ...config.exportJobs, ...overrides.exports } },
    db: database.db,
    hocuspocus,
    metrics,
    log,
    publicUrl,
    webhooks,
    roomExists: async (roomId) => (await rooms.get(roomId)) !== undefined,
    prepareBoard: (roomId, board, options) => embedRoomAssets(assets.service, log, roomId, board, options),
  });
  const documents = new RoomDocuments({
    hocuspocus,
    db: database.db,
    updates,
    rooms: roomStates,
    log,
    maxDocumentBytes: config.limits.maxDocumentBytes,
    durableLog: config.persistence.durableLog,
  });
  const versions = new RoomVersions({
    db: database.db,
    hocuspocus,
    rooms: roomStates,
    keepVersions: config.persistence.keepVersions,
    metrics,
    log,
  });
  const app = createApp({
    config,
    database,
    tokens,
    rooms,
    invites,
    accessChanges,
    users,
    snapshots,
    versions,
    online,
    hocuspocus,
    metrics,
    log,
    exports,
    assets,
    documents,
    webhooks,
    publicUrl,
    readinessChecks: overrides.readinessChecks ?? (scaleOut ? [scaleOut.readinessCheck] : []),
  });

  const sockets = new SocketServer({
    hocuspocus,
    metrics,
    log,
    corsOrigins: config.corsOrigins,
    maxMessageBytes: config.limits.wsMaxMessageBytes,
    messagesPerSecond: config.limits.wsMaxMessagesPerSecond,
    burstMessages: config.limits.wsBurstMessages,
    compression: config.wsCompression,
    cork: config.wsCork,
    maxBufferedBytes: config.limits.wsMaxBufferedBytes,
    authTimeoutMs: config.limits.authTimeoutMs,
    maxConnectionsPerIp: config.limits.wsMaxConnectionsPerIp,
    preAuthMaxBytes: config.limits.wsPreAuthMaxBytes,
    preAuthMaxMessages: config.limits.wsPreAuthMaxMessages,
    awareness: {
      maxClients: config.limits.awarenessMaxClients,
      maxStateBytes: config.limits.awarenessMaxStateBytes,
      perSecond: config.limits.awarenessPerSecond,
      burst: config.limits.awarenessPerSecond * 2,
    },
    trustProxy: compileTrustedProxies(config.trustedProxies),
  });
  // Headers are capped like bodies: a request with more than 16 KiB of them gets 431.
  const httpServer: HttpServer = createHttpServer({ maxHeaderSize: 16 * 1024 }, getRequestListener(app.fetch));
  httpServer.on('upgrade', sockets.handleUpgrade);
  // Protocol garbage on the raw socket is the client's problem, not a crash.
  httpServer.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    log.debug({ err: error }, 'http client error');
    if (!socket.writable) return;
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });

  const displayHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  let closing: Promise<void> | undefined;

  /**
   * Shuts down within `config.shutdownTimeoutMs`: stores run (and retry) until the
   * deadline minus a reserve for closing the clients; whatever is not stored by
   * then stays in the durable log (acknowledged) or in the clients (not yet
   * acknowledged), which resend it to the next instance.
   */
  async function close(): Promise<void> {
    const deadline = Date.now() + config.shutdownTimeoutMs;
    // Time kept for closing sockets, Redis and the database after the stores.
    const storesDeadline = deadline - Math.min(2_000, config.shutdownTimeoutMs / 5);
    persistence.beginShutdown(storesDeadline);
    keepLoaded.release();
    httpServer.close();
    // Before the documents unload and the database closes: running exports finish
    // (or are given back for another instance) while both are still there.
    await until(thumbnailRefresh.stop(), storesDeadline, 'thumbnails', log);
    await until(exports.stop(), storesDeadline, 'exports', log);
    await until(assets.stop(), storesDeadline, 'assets', log);
    await until(webhooks.stop(), storesDeadline, 'webhooks', log);
    // Detach every connection; Hocuspocus then stores each document whose last
    // connection left and unloads it. Wait for that, or for the deadline.
    hocuspocus.closeConnections();
    hocuspocus.flushPendingStores();
    while (hocuspocus.getDocumentsCount() > 0 && Date.now() < storesDeadline) await new Promise((resolve) => setTimeout(resolve, 20));
    if (hocuspocus.getDocumentsCount() > 0) {
      log.error(
        { rooms: hocuspocus.getDocumentsCount() },
        'shutdown deadline: rooms not stored; their acknowledged updates are in the log',
      );
    }
    await sockets.close();
    await updates.close(deadline);
    await until(hocuspocus.hooks('onDestroy', { instance: hocuspocus }), deadline, 'extensions', log);
    httpServer.closeAllConnections();
    await until(online.close(), deadline, 'presence', log);
    await until(accessChanges.close(), deadline, 'access changes', log);
    if (!overrides.database) await until(database.close(), deadline, 'database', log);
    log.info('server closed');
  }

  return {
    app,
    hocuspocus,
    database,
    tokens,
    log,
    metrics,
    exports,
    assets,
    documents,
    webhooks,
    listen: () =>
      new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, host, () => {
          httpServer.off('error', reject);
          boundPort = (httpServer.address() as AddressInfo).port;
          exports.start();
          assets.start();
          webhooks.start();
          log.info({ url: `http://${displayHost}:${boundPort}`, database: database.kind }, 'scrible listening');
          resolve();
        });
      }),
    close: () => (closing ??= close()),
    get url() {
      return `http://${displayHost}:${boundPort}`;
    },
    get wsUrl() {
      return `ws://${displayHost}:${boundPort}`;
    },
  };
}

/** Waits for `work` until `deadline` at most; a late or failed step is logged, not thrown. */
async function until(work: Promise<unknown>, deadline: number, step: string, log: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
  });
  try {
    const outcome = await Promise.race([work.then(() => 'done' as const), timeout]);
    if (outcome === 'timeout') log.error({ step }, 'shutdown deadline reached; not waiting any longer');
  } catch (error) {
    log.error({ err: error, step }, 'shutdown step failed');
  } finally {
    clearTimeout(timer);
  }
}
