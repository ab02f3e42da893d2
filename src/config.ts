import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { compileTrustedProxies } from './net/origin.ts';

/**
 * Everything the server reads from its environment, validated once at start-up.
 * This is the only module that looks at `process.env` (through `loadConfig(env)`),
 * so tests build a config from a plain object and never touch globals.
 */
export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  host: string;
  /** 0 lets the OS choose (tests). */
  port: number;
  /** Unset: embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  /** Unset: single instance, no cross-instance fan-out. */
  redisUrl: string | undefined;
  redisPrefix: string;
  instanceId: string;
  /** With Redis: a dead instance's presence entries vanish after this (PRESENCE_TTL_SECONDS). */
  presenceTtlMs: number;
  /** With Redis: the fan-out extension's timings (see `ScaleOutConfiguration` in extensions/redis.ts). */
  redisTimings: { lockWaitMs: number; lockTimeoutMs: number; antiEntropyMs: number; redisWaitMs: number };
  /** Verify with each, sign with the first. Empty: generated and kept in `dataDir`. */
  jwtSecrets: string[];
  dataDir: string;
  /** Base of invite links and export URLs; unset: `http://localhost:<bound port>`. */
  publicUrl: string | undefined;
  /** `undefined` allows any origin (development); `[]` allows none. */
  corsOrigins: string[] | undefined;
  /** Proxies whose X-Forwarded-For is believed (CIDRs); empty: nobody's. */
  trustedProxies: string[];
  s3: { bucket: string; endpoint?: string; region: string; accessKeyId?: string; secretAccessKey?: string } | undefined;
  logLevel: string;
  limits: {
    wsMaxMessageBytes: number;
    wsMaxMessagesPerSecond: number;
    wsBurstMessages: number;
    maxDocumentBytes: number;
    idleTimeoutMs: number;
    httpMaxBodyBytes: number;
    /** A socket with more than this queued for its client when more is sent is closed (4504). */
    wsMaxBufferedBytes: number;
    /** A socket without an authenticated document is closed after this. */
    authTimeoutMs: number;
    /** Open WebSockets per client address. */
    wsMaxConnectionsPerIp: number;
    /** What a socket may send before its first authentication completes. */
    wsPreAuthMaxBytes: number;
    wsPreAuthMaxMessages: number;
    /** Awareness client ids per connection (and per update). */
    awarenessMaxClients: number;
    /** Bytes of one client's awareness state (JSON). */
    awarenessMaxStateBytes: number;
    /** Awareness updates per second per connection (bursts of twice that); the excess is dropped. */
    awarenessPerSecond: number;
    /** Rooms one user may create: a token bucket per user. */
    roomCreations: { ratePerSecond: number; burst: number };
    /** Exports one user may request: a token bucket per user. */
    exports: { ratePerSecond: number; burst: number };
    /** Versions one user may name (each is kept until its room is deleted): a token bucket per user. */
    namedVersions: { ratePerSecond: number; burst: number };
    /** Every `/api` request: a token bucket per client address. */
    api: { ratePerSecond: number; burst: number };
    /** Asset reads (a board opening loads every picture at once): their own bucket per client address. */
    assetReads: { ratePerSecond: number; burst: number };
    /** Guest accounts: a token bucket per client address. */
    guestCreations: { ratePerSecond: number; burst: number };
    /** Room password attempts per client address and room (all of them at once, then they trickle back). */
    passwordAttempts: { ratePerSecond: number; burst: number };
    /** Room password attempts per room whoever asks, so rotating addresses buys no more guesses. */
    roomPasswordAttempts: { ratePerSecond: number; burst: number };
  };
  /** Export rows and files older than this are swept. */
  exportRetentionMs: number;
  /** Export jobs of this instance (see `createExports` in src/export-jobs/index.ts). */
  exportJobs: {
    /** Render threads, which is also how many jobs this instance works at once. */
    renderThreads: number;
    /** A render running longer is abandoned and its worker replaced. */
    renderTimeoutMs: number;
    /** Nice value of the render threads (Linux: 0…19, higher yields more to the event loop). */
    renderNice: number;
    /** How often to look for jobs enqueued by other instances (or abandoned); local jobs start at once. */
    pollIntervalMs: number;
    /** A job `processing` longer than this is taken to be abandoned by a dead instance. */
    staleAfterMs: number;
    /** Tries per job (crashes and passing storage failures count); then `failed`. */
    maxAttempts: number;
    /** On shutdown, running jobs get this long to finish before they are given back. */
    shutdownGraceMs: number;
    /** How often expired exports are looked for. */
    sweepIntervalMs: number;
  };
  /** A room's thumbnail is rendered again this long after its changes stop. */
  thumbnailDebounceMs: number;
  /** Images and videos of rooms (issue 13), stored outside the document. */
  assets: {
    /** Largest upload (MAX_ASSET_BYTES); refused with 413 before the rest of the body is read. */
    maxBytes: number;
    /** All assets of one room together (MAX_ROOM_ASSET_BYTES); an upload past it is 413. */
    maxRoomBytes: number;
    /** Uploads one user may make: a token bucket per user. */
    uploads: { ratePerSecond: number; burst: number };
    /** An asset no kept version references is deleted after this long (ASSET_GC_GRACE_SECONDS). */
    gcGraceMs: number;
    /** How often the garbage collector looks (ASSET_GC_INTERVAL_SECONDS). */
    gcIntervalMs: number;
  };
  persistence: {
    /** Quiet time before a changed document is snapshotted. */
    debounceMs: number;
    /** Longest a busy document goes without a snapshot. */
    maxDebounceMs: number;
    /** Snapshot versions kept per room. */
    keepVersions: number;
    /**
     * Acknowledge updates only once they are in the durable log. Off, acknowledgements
     * are immediate and only debounced snapshots persist (as bare Hocuspocus does):
     * for benchmarks, not production.
     */
    durableLog: boolean;
    /** Longest an append retries while the database is away before its client is closed with 4503. */
    appendRetryMs: number;
    /** Bytes of updates waiting for the log at most; past it new updates are refused (4503 storage-busy). */
    maxQueuedBytes: number;
  };
  /** SIGTERM/close(): stores retry until this much time has passed, then the server gives up and exits. */
  shutdownTimeoutMs: number;
  tokens: {
    guestTtlSeconds: number;
    roomTtlSeconds: number;
    inviteDefaultTtlSeconds: number;
  };
  wsCompression: boolean;
  /**
   * Hocuspocus broadcast batching: `0` coalesces what arrives in one event-loop turn
   * (no added delay), `n` ms merges a window, `false` sends every update at once.
   */
  wsFlushDelayMs: number | false;
  /**
   * Awareness (cursors, selections) gathers over this window (ms) and goes out as one
   * frame per room, with every client that moved in it; `0` sends it with the
   * document updates (`wsFlushDelayMs`).
   */
  wsAwarenessFlushMs: number;
  /** Coalesce each socket's writes within one event-loop turn into one syscall. */
  wsCork: boolean;
  /** Keep a room loaded this long after its last client left (0: unload at once). */
  roomKeepLoadedMs: number;
  /** Built whiteboard app served at `/`. */
  webDir: string;
  webhooks: {
    /** At most one `room.updated` per room per this many ms (WEBHOOK_DEBOUNCE_MS). */
    debounceMs: number;
    /** Deliver to private, loopback and link-local addresses even in production. */
    allowPrivate: boolean;
    /** Refuse private addresses (production, unless allowPrivate). */
    blockPrivate: boolean;
    /** A delivery attempt that takes longer has failed (Standard Webhooks: 10 s). */
    timeoutMs: number;
    /** First retry delay, doubled per attempt (with jitter) up to an hour, for 24 h. */
    retryBaseMs: number;
    /** How often an idle instance looks for due deliveries. */
    pollMs: number;
  };
}

/** Start-up refuses a bad value with one line naming the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const integer = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.string().trim().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.number().int().min(min).max(max)).default(fallback);

const url = (protocols: string[]) =>
  optionalString.refine(
    (value) => {
      if (value === undefined) return true;
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

const booleanFlag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'on', 'off', ''])
    .optional()
    .transform((value) => (value === undefined || value === '' ? fallback : ['true', '1', 'on'].includes(value)));

// One render thread per spare core, at most four: rendering never competes with the
// event loop for the last core.
const SPARE_CORES = Math.max(1, Math.min(4, availableParallelism() - 1));

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).optional(),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  PORT: integer(3001, 0, 65535),
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  REDIS_URL: url(['redis:', 'rediss:']),
  REDIS_PREFIX: z.string().trim().min(1).default('scrible'),
  INSTANCE_ID: optionalString,
  PRESENCE_TTL_SECONDS: integer(30, 1, 60),
  REDIS_LOCK_WAIT_MS: integer(5_000, 0, 60_000),
  REDIS_LOCK_TIMEOUT_MS: integer(3_000, 100, 60_000),
  REDIS_ANTI_ENTROPY_MS: integer(1_000, 10, 60_000),
  REDIS_WAIT_MS: integer(2_000, 10, 60_000),
  HOSTNAME: optionalString,
  JWT_SECRET: optionalString,
  DATA_DIR: z.string().trim().min(1).default('./data'),
  PUBLIC_URL: url(['http:', 'https:']),
  CORS_ORIGINS: optionalString,
  S3_BUCKET: optionalString,
  S3_ENDPOINT: url(['http:', 'https:']),
  S3_REGION: z.string().trim().min(1).default('us-east-1'),
  AWS_ACCESS_KEY_ID: optionalString,
  AWS_SECRET_ACCESS_KEY: optionalString,
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  WS_MAX_MESSAGE_BYTES: integer(2 * 1024 * 1024, 1024),
  WS_MAX_MESSAGES_PER_SECOND: integer(100, 1),
  WS_BURST_MESSAGES: integer(200, 1),
  MAX_DOCUMENT_BYTES: integer(32 * 1024 * 1024, 1024),
  WS_IDLE_TIMEOUT_MS: integer(60_000, 1000),
  AUTH_TIMEOUT_MS: integer(10_000, 100),
  WS_MAX_CONNECTIONS_PER_IP: integer(200, 1),
  WS_PREAUTH_MAX_BYTES: integer(256 * 1024, 1024),
  WS_PREAUTH_MAX_MESSAGES: integer(64, 4),
  WS_AWARENESS_MAX_CLIENTS: integer(4, 1, 64),
  WS_AWARENESS_MAX_STATE_BYTES: integer(64 * 1024, 1024),
  WS_AWARENESS_PER_SECOND: integer(60, 1),
  WS_COMPRESSION: booleanFlag(false),
  WS_FLUSH_DELAY_MS: z
    .string()
    .trim()
    .regex(/^(\d+|off)?$/, 'must be a whole number of ms or "off"')
    .optional()
    .transform((value) => (value === undefined || value === '' ? 0 : value === 'off' ? (false as const) : Number(value))),
  WS_AWARENESS_FLUSH_MS: integer(50, 0, 1000),
  WS_CORK: booleanFlag(false),
  ROOM_KEEP_LOADED_MS: integer(30_000, 0, 24 * 3600 * 1000),
  SNAPSHOT_DEBOUNCE_MS: integer(2_000, 0),
  SNAPSHOT_MAX_DEBOUNCE_MS: integer(10_000, 0),
  SNAPSHOT_KEEP_VERSIONS: integer(20, 1),
  DURABLE_LOG: booleanFlag(true),
  DURABLE_LOG_RETRY_MS: integer(15_000, 100),
  DURABLE_LOG_MAX_QUEUED_BYTES: integer(32 * 1024 * 1024, 64 * 1024),
  WS_MAX_BUFFERED_BYTES: integer(8 * 1024 * 1024, 64 * 1024),
  SHUTDOWN_TIMEOUT_MS: integer(30_000, 1_000),
  GUEST_TOKEN_TTL_SECONDS: integer(30 * 24 * 3600, 60),
  ROOM_TOKEN_TTL_SECONDS: integer(12 * 3600, 60),
  WEB_DIR: z.string().trim().min(1).default('./web/dist'),
  TRUSTED_PROXIES: optionalString,
  ROOM_CREATIONS_PER_HOUR: integer(60, 1),
  EXPORTS_PER_HOUR: integer(60, 1),
  NAMED_VERSIONS_PER_HOUR: integer(60, 1),
  EXPORT_RETENTION_HOURS: integer(168, 1),
  API_REQUESTS_PER_SECOND: integer(50, 1),
  API_REQUESTS_BURST: integer(200, 1),
  ASSET_READS_PER_SECOND: integer(200, 1),
  ASSET_READS_BURST: integer(1000, 1),
  GUEST_CREATIONS_PER_MINUTE: integer(60, 1),
  GUEST_CREATIONS_BURST: integer(30, 1),
  PASSWORD_ATTEMPTS_PER_CLIENT: integer(10, 1, 10_000),
  PASSWORD_ATTEMPTS_PER_ROOM: integer(50, 1, 10_000),
  EXPORT_RENDER_THREADS: integer(SPARE_CORES, 1, 64),
  EXPORT_RENDER_TIMEOUT_MS: integer(120_000, 1_000, 3600 * 1000),
  EXPORT_RENDER_NICE: integer(19, 0, 19),
  EXPORT_POLL_MS: integer(5_000, 10, 3600 * 1000),
  EXPORT_STALE_AFTER_MS: integer(120_000, 1_000, 24 * 3600 * 1000),
  EXPORT_MAX_ATTEMPTS: integer(3, 1, 100),
  EXPORT_SHUTDOWN_GRACE_MS: integer(10_000, 0, 600_000),
  EXPORT_SWEEP_INTERVAL_MS: integer(3600 * 1000, 1_000, 24 * 3600 * 1000),
  // Kept well under the 15 s API.md allows after changes stop: rendering takes time too.
  THUMBNAIL_DEBOUNCE_MS: integer(5_000, 10, 10_000),
  // Uploads are held in memory while they are hashed and sniffed: bounded.
  MAX_ASSET_BYTES: integer(25 * 1024 * 1024, 1024, 512 * 1024 * 1024),
  MAX_ROOM_ASSET_BYTES: integer(1024 * 1024 * 1024, 1024),
  ASSET_UPLOADS_PER_HOUR: integer(600, 1),
  ASSET_GC_GRACE_SECONDS: integer(86_400, 1, 365 * 86_400),
  ASSET_GC_INTERVAL_SECONDS: integer(3_600, 1, 86_400),
  WEBHOOK_DEBOUNCE_MS: integer(5_000, 0, 3600 * 1000),
  WEBHOOK_ALLOW_PRIVATE: booleanFlag(false),
  WEBHOOK_TIMEOUT_MS: integer(10_000, 100, 60_000),
  WEBHOOK_RETRY_BASE_MS: integer(5_000, 10, 3600 * 1000),
  WEBHOOK_POLL_MS: integer(1_000, 10, 60_000),
});

/** Bursts are a sixth of the hourly allowance (at least one), then it trickles back. */
function perHour(count: number) {
  return { ratePerSecond: count / 3600, burst: Math.max(1, Math.ceil(count / 6)) };
}

/** The whole allowance at once, then it trickles back over ten minutes. */
function perTenMinutes(count: number) {
  return { ratePerSecond: count / 600, burst: count };
}

/**
 * Builds the validated configuration from an environment-like object.
 *
 * @param env - usually `process.env`; tests pass a plain object.
 * @returns the frozen configuration.
 * @throws ConfigError naming the first bad variable.
 * @example const config = loadConfig(process.env)
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`Invalid ${variable}=${JSON.stringify(env[variable] ?? '')}: ${issue.message}`);
  }
  const e = parsed.data;
  const nodeEnv = e.NODE_ENV ?? 'development';
  const jwtSecrets = (e.JWT_SECRET ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (nodeEnv === 'production' && jwtSecrets.length === 0) {
    throw new ConfigError('JWT_SECRET is required when NODE_ENV=production (a comma-separated list of HS256 secrets)');
  }
  if (jwtSecrets.some((secret) => secret.length < 8)) {
    throw new ConfigError('Invalid JWT_SECRET: each secret must be at least 8 characters');
  }
  const corsOrigins =
    e.CORS_ORIGINS !== undefined
      ? e.CORS_ORIGINS.split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : nodeEnv === 'production'
        ? []
        : undefined;
  const trustedProxies = (e.TRUSTED_PROXIES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  try {
    compileTrustedProxies(trustedProxies);
  } catch (error) {
    throw new ConfigError(`Invalid TRUSTED_PROXIES=${JSON.stringify(e.TRUSTED_PROXIES)}: ${(error as Error).message}`);
  }
  const s3 = e.S3_BUCKET
    ? {
        bucket: e.S3_BUCKET,
        endpoint: e.S3_ENDPOINT,
        region: e.S3_REGION,
        accessKeyId: e.AWS_ACCESS_KEY_ID,
        secretAccessKey: e.AWS_SECRET_ACCESS_KEY,
      }
    : undefined;

  return Object.freeze({
    nodeEnv,
    host: e.HOST,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    instanceId: e.INSTANCE_ID ?? e.HOSTNAME ?? `scrible-${process.pid}`,
    presenceTtlMs: e.PRESENCE_TTL_SECONDS * 1000,
    redisTimings: {
      lockWaitMs: e.REDIS_LOCK_WAIT_MS,
      lockTimeoutMs: e.REDIS_LOCK_TIMEOUT_MS,
      antiEntropyMs: e.REDIS_ANTI_ENTROPY_MS,
      redisWaitMs: e.REDIS_WAIT_MS,
    },
    jwtSecrets,
    dataDir: e.DATA_DIR,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    corsOrigins,
    trustedProxies,
    s3,
    logLevel: e.LOG_LEVEL,
    limits: {
      wsMaxMessageBytes: e.WS_MAX_MESSAGE_BYTES,
      wsMaxMessagesPerSecond: e.WS_MAX_MESSAGES_PER_SECOND,
      wsBurstMessages: e.WS_BURST_MESSAGES,
      maxDocumentBytes: e.MAX_DOCUMENT_BYTES,
      idleTimeoutMs: e.WS_IDLE_TIMEOUT_MS,
      httpMaxBodyBytes: 1024 * 1024,
      wsMaxBufferedBytes: e.WS_MAX_BUFFERED_BYTES,
      authTimeoutMs: e.AUTH_TIMEOUT_MS,
      wsMaxConnectionsPerIp: e.WS_MAX_CONNECTIONS_PER_IP,
      wsPreAuthMaxBytes: e.WS_PREAUTH_MAX_BYTES,
      wsPreAuthMaxMessages: e.WS_PREAUTH_MAX_MESSAGES,
      awarenessMaxClients: e.WS_AWARENESS_MAX_CLIENTS,
      awarenessMaxStateBytes: e.WS_AWARENESS_MAX_STATE_BYTES,
      awarenessPerSecond: e.WS_AWARENESS_PER_SECOND,
      roomCreations: perHour(e.ROOM_CREATIONS_PER_HOUR),
      exports: perHour(e.EXPORTS_PER_HOUR),
      namedVersions: perHour(e.NAMED_VERSIONS_PER_HOUR),
      api: { ratePerSecond: e.API_REQUESTS_PER_SECOND, burst: e.API_REQUESTS_BURST },
      assetReads: { ratePerSecond: e.ASSET_READS_PER_SECOND, burst: e.ASSET_READS_BURST },
      guestCreations: { ratePerSecond: e.GUEST_CREATIONS_PER_MINUTE / 60, burst: e.GUEST_CREATIONS_BURST },
      passwordAttempts: perTenMinutes(e.PASSWORD_ATTEMPTS_PER_CLIENT),
      roomPasswordAttempts: perTenMinutes(e.PASSWORD_ATTEMPTS_PER_ROOM),
    },
    exportRetentionMs: e.EXPORT_RETENTION_HOURS * 3600 * 1000,
    exportJobs: {
      renderThreads: e.EXPORT_RENDER_THREADS,
      renderTimeoutMs: e.EXPORT_RENDER_TIMEOUT_MS,
      renderNice: e.EXPORT_RENDER_NICE,
      pollIntervalMs: e.EXPORT_POLL_MS,
      staleAfterMs: e.EXPORT_STALE_AFTER_MS,
      maxAttempts: e.EXPORT_MAX_ATTEMPTS,
      shutdownGraceMs: e.EXPORT_SHUTDOWN_GRACE_MS,
      sweepIntervalMs: e.EXPORT_SWEEP_INTERVAL_MS,
    },
    thumbnailDebounceMs: e.THUMBNAIL_DEBOUNCE_MS,
    assets: {
      maxBytes: e.MAX_ASSET_BYTES,
      maxRoomBytes: e.MAX_ROOM_ASSET_BYTES,
      uploads: perHour(e.ASSET_UPLOADS_PER_HOUR),
      gcGraceMs: e.ASSET_GC_GRACE_SECONDS * 1000,
      gcIntervalMs: e.ASSET_GC_INTERVAL_SECONDS * 1000,
    },
    persistence: {
      debounceMs: e.SNAPSHOT_DEBOUNCE_MS,
      maxDebounceMs: e.SNAPSHOT_MAX_DEBOUNCE_MS,
      keepVersions: e.SNAPSHOT_KEEP_VERSIONS,
      durableLog: e.DURABLE_LOG,
      appendRetryMs: e.DURABLE_LOG_RETRY_MS,
      maxQueuedBytes: e.DURABLE_LOG_MAX_QUEUED_BYTES,
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    tokens: {
      guestTtlSeconds: e.GUEST_TOKEN_TTL_SECONDS,
      roomTtlSeconds: e.ROOM_TOKEN_TTL_SECONDS,
      inviteDefaultTtlSeconds: 7 * 24 * 3600,
    },
    wsCompression: e.WS_COMPRESSION,
    wsFlushDelayMs: e.WS_FLUSH_DELAY_MS,
    wsAwarenessFlushMs: e.WS_AWARENESS_FLUSH_MS,
    wsCork: e.WS_CORK,
    roomKeepLoadedMs: e.ROOM_KEEP_LOADED_MS,
    webDir: e.WEB_DIR,
    webhooks: {
      debounceMs: e.WEBHOOK_DEBOUNCE_MS,
      allowPrivate: e.WEBHOOK_ALLOW_PRIVATE,
      blockPrivate: nodeEnv === 'production' && !e.WEBHOOK_ALLOW_PRIVATE,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      retryBaseMs: e.WEBHOOK_RETRY_BASE_MS,
      pollMs: e.WEBHOOK_POLL_MS,
    },
  });
}
