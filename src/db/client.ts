import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema.ts';

/** The Drizzle database, whichever driver is behind it. Both speak the same PostgreSQL dialect. */
export type Db = ReturnType<typeof drizzlePostgres<typeof schema>>;

export interface Database {
  db: Db;
  /**
   * The handle the durable update log appends through. On PostgreSQL its own small
   * pool, so an acknowledgement never queues behind snapshot stores, exports or
   * REST queries; on PGlite (one connection anyway) the same handle as `db`.
   */
  logDb: Db;
  kind: 'postgres' | 'pglite';
  /** Applies pending drizzle-kit migrations from drizzle/. */
  migrate(): Promise<void>;
  /** Answers when the database does (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  /** Connections in the postgres.js pool. */
  maxConnections?: number;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

/**
 * Opens PostgreSQL when a URL is given, otherwise an embedded PGlite in `dataDir/db`
 * so `npm start` needs no services.
 *
 * @param options - the URL or the data directory.
 * @returns a handle; call `migrate()` before use and `close()` at shutdown.
 * @example const database = createDatabase({ databaseUrl: undefined, dataDir: './data' })
 */
/** Arbitrary, fixed: the advisory lock key that serialises migrations across instances. */
const MIGRATION_LOCK_ID = 7_352_901;

export function createDatabase(options: DatabaseOptions): Database {
  if (options.databaseUrl) {
    const client = postgres(options.databaseUrl, {
      // At least two: migrate() holds one connection for its lock while it runs on another.
      max: Math.max(2, options.maxConnections ?? 10),
      onnotice: () => {},
      // Keep start-up honest: fail fast rather than hang when the server is away.
      connect_timeout: 10,
    });
    const db = drizzlePostgres(client, { schema });
    const logClient = postgres(options.databaseUrl, { max: 2, onnotice: () => {}, connect_timeout: 10 });
    const logDb = drizzlePostgres(logClient, { schema });
    return {
      db,
      logDb,
      kind: 'postgres',
      migrate: async () => {
        // Replicas start together (compose, k8s): one migrates, the others wait
        // on a session advisory lock and then find nothing pending.
        const session = await client.reserve();
        try {
          await session`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
          await migratePostgres(db, { migrationsFolder: MIGRATIONS_FOLDER });
        } finally {
          await session`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.catch(() => undefined);
          session.release();
        }
      },
      ping: async () => {
        await db.execute(sql`select 1`);
      },
      close: async () => {
        await Promise.all([client.end({ timeout: 5 }), logClient.end({ timeout: 5 })]);
      },
    };
  }

  return openEmbedded(path.resolve(options.dataDir, 'db'));
}

const PGLITE_SERVER_URL = new URL('./pglite-server.ts', import.meta.url);

/**
 * The embedded default: PGlite in a worker thread of its own, spoken to over the
 * PostgreSQL wire protocol on a private Unix socket, so the WASM database never runs
 * on the event loop that serves WebSockets. The same postgres.js driver as for
 * PostgreSQL reads the rows, so both kinds return the same values.
 *
 * One connection: PGlite has one session. postgres.js queues queries behind it and
 * reserves it for the length of a transaction, so transactions stay isolated.
 */
function openEmbedded(dir: string): Database {
  mkdirSync(dir, { recursive: true });
  // A short path (Unix socket paths are limited to ~100 bytes), readable by this user only.
  const socketDir = mkdtempSync(path.join(tmpdir(), 'scrible-pglite-'));
  const socketPath = path.join(socketDir, 'db.sock');
  const worker = new Worker(PGLITE_SERVER_URL, { workerData: { dataDir: dir, socketPath } });
  const ready = new Promise<void>((resolve, reject) => {
    const onExit = (code: number) => reject(new Error(`embedded database thread exited with code ${code} before it was ready`));
    worker.once('error', reject);
    worker.once('exit', onExit);
    worker.once('message', (message: { ready?: boolean; error?: string }) => {
      worker.off('error', reject);
      worker.off('exit', onExit);
      if (message.ready) resolve();
      else reject(new Error(`embedded database failed to start: ${message.error}`));
    });
  });
  // Handled where it is awaited (migrate, or close when never migrated); this keeps an
  // early failure from surfacing as an unhandled rejection in between.
  ready.catch(() => {});
  const client = postgres({
    path: socketPath,
    max: 1,
    onnotice: () => {},
    connect_timeout: 30,
    username: 'postgres',
    database: 'postgres',
  });
  const db = drizzlePostgres(client, { schema });
  let closed: Promise<void> | undefined;
  return {
    db,
    logDb: db,
    kind: 'pglite',
    migrate: async () => {
      await ready;
      // One process owns DATA_DIR, so no advisory lock (it would hold the only connection).
      await migratePostgres(db, { migrationsFolder: MIGRATIONS_FOLDER });
    },
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () =>
      (closed ??= (async () => {
        await client.end({ timeout: 5 });
        const started = await ready.then(
          () => true,
          () => false,
        );
        if (started) {
          const stopped = new Promise<void>((resolve) => worker.once('message', () => resolve()));
          worker.postMessage('stop');
          await stopped;
        }
        await worker.terminate();
        rmSync(socketDir, { recursive: true, force: true });
      })()),
  };
}
