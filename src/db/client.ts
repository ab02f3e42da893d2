import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import type { Logger } from '../log.ts';
import { PgliteThread } from './pglite-thread.ts';
import * as schema from './schema.ts';
import { roomUpdates } from './schema.ts';

/** The Drizzle database, whichever driver is behind it. Both speak the same PostgreSQL dialect. */
export type Db = ReturnType<typeof drizzlePostgres<typeof schema>>;

export interface Database {
  db: Db;
  /**
   * Inserts durable-log rows in one statement. On PostgreSQL it runs on a small pool
   * of its own, so an acknowledgement never queues behind snapshot stores, exports or
   * REST queries, and it is one prepared statement for any number of rows (no query
   * building per update: the durable log is on every update's path).
   */
  appendUpdates: UpdateAppender;
  kind: 'postgres' | 'pglite';
  /** Applies pending drizzle-kit migrations from drizzle/. */
  migrate(): Promise<void>;
  /** Answers when the database does (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** One durable-log row to insert. */
export interface AppendRow {
  roomId: string;
  update: Buffer;
}

export type UpdateAppender = (rows: readonly AppendRow[]) => Promise<void>;

/** Durable-log rows through a Drizzle insert (`UpdateLog`'s default when it is given no appender). */
export function drizzleAppender(db: Db): UpdateAppender {
  return async (rows) => {
    await db.insert(roomUpdates).values(rows.map(({ roomId, update }) => ({ roomId, update })));
  };
}

/**
 * Durable-log rows as one multi-row INSERT sent straight to the PGlite thread. Drizzle
 * built this statement on every flush, ~45 ms a second of the main thread at 1,000
 * updates/s (the thread that delivers updates); the text here is a join. PGlite runs
 * multi-row VALUES as fast as unnest, and binds each row's bytes as they are.
 */
function pgliteAppender(client: PgliteThread): UpdateAppender {
  return async (rows) => {
    const params: unknown[] = [];
    const values: string[] = [];
    for (const row of rows) {
      values.push(`($${params.length + 1}, $${params.length + 2})`);
      params.push(row.roomId, row.update);
    }
    await client.query(`INSERT INTO room_updates (room_id, "update") VALUES ${values.join(', ')}`, params);
  };
}

export interface DatabaseOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  /** Connections in the postgres.js pool. */
  maxConnections?: number;
  /** Hears about an embedded database whose thread died. */
  log?: Pick<Logger, 'error'>;
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
const BYTEA_OID = 17;

export function createDatabase(options: DatabaseOptions): Database {
  if (options.databaseUrl) {
    const client = postgres(options.databaseUrl, {
      // At least two: migrate() holds one connection for its lock while it runs on another.
      max: Math.max(2, options.maxConnections ?? 10),
      onnotice: () => {},
      // Keep start-up honest: fail fast rather than hang when the server is away.
      connect_timeout: 10,
      // Named in pg_stat_activity, so operators (and bench/lib/pg-waits.ts) tell the pools apart.
      connection: { application_name: 'scrible' },
    });
    const db = drizzlePostgres(client, { schema });
    const logClient = postgres(options.databaseUrl, {
      max: 2,
      onnotice: () => {},
      connect_timeout: 10,
      connection: { application_name: 'scrible-update-log' },
    });
    const appendUpdates: UpdateAppender = async (rows) => {
      // unnest over two arrays: the same statement text (prepared once per
      // connection) whatever the batch size. bytea arrays need their element type
      // named, postgres.js does not infer it from Buffers.
      await logClient`INSERT INTO room_updates (room_id, "update")
        SELECT * FROM unnest(${rows.map((row) => row.roomId)}::text[], ${logClient.array(
          rows.map((row) => row.update),
          BYTEA_OID,
        )}::bytea[])`;
    };
    return {
      db,
      appendUpdates,
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
        // postgres.js learns array type OIDs (once per pool) from the first connection it
        // opens. Appends built before that, the first two at once on a fresh pool, bound
        // bytea[] as bytea and failed ("cannot cast type bytea to bytea[]"): the log's
        // pool opens here, before anything is served. (The main pool learnt them above.)
        await logClient`SELECT 1`;
      },
      ping: async () => {
        await db.execute(sql`select 1`);
      },
      close: async () => {
        await Promise.all([client.end({ timeout: 5 }), logClient.end({ timeout: 5 })]);
      },
    };
  }

  const dir = path.resolve(options.dataDir, 'db');
  mkdirSync(dir, { recursive: true });
  // PGlite runs each statement synchronously in WASM: on a thread of its own, so
  // the event loop keeps delivering updates while the database works.
  const client = new PgliteThread({
    dir,
    onFailure: (error) => options.log?.error({ err: error }, 'embedded database stopped; queries will fail until restart'),
  });
  // The thread offers the query/transaction calls Drizzle's PGlite driver makes, so
  // rows come back as from an in-process PGlite. The two drivers return the same rows
  // for our queries; the type is unified on postgres-js.
  const db = drizzlePglite(client as unknown as PGlite, { schema }) as unknown as Db;
  return {
    db,
    appendUpdates: pgliteAppender(client),
    kind: 'pglite',
    migrate: async () => {
      await migratePglite(db as never, { migrationsFolder: MIGRATIONS_FOLDER });
    },
    ping: async () => {
      await client.query('select 1');
    },
    close: () => client.close(),
  };
}
