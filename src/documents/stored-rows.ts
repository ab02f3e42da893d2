import { type AnyColumn, and, asc, desc, eq, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { roomSnapshots, roomUpdates } from '../db/schema.ts';

/** The database or a transaction on it: these reads join whichever they are given. */
type Reader = Pick<Db, 'select'>;

/**
 * A room's snapshot version numbers, newest first. Numbers only: readers go down the
 * list and fetch one version's data at a time (`snapshotData`), usually just the first.
 */
export function snapshotVersions(db: Reader, roomId: string) {
  return db
    .select({ version: roomSnapshots.version })
    .from(roomSnapshots)
    .where(eq(roomSnapshots.roomId, roomId))
    .orderBy(desc(roomSnapshots.version));
}

/**
 * A snapshot's data as base64 text, for `fromBase64`: postgres.js receives `bytea` as
 * hex, twice the bytes and a slower decode (a 5 MB board: ~50 ms as hex, ~30 ms as
 * base64 on PostgreSQL; the same on PGlite).
 */
export const snapshotBase64 = base64Of(roomSnapshots.snapshotData);

/** A `bytea` column read as base64 text (see `snapshotBase64`). */
function base64Of(column: AnyColumn): SQL<string> {
  return sql<string>`encode(${column}, 'base64')`;
}

/** PostgreSQL breaks base64 into lines of 76; Node's decoder skips the newlines. */
export function fromBase64(text: string): Uint8Array {
  return Buffer.from(text, 'base64');
}

/** One snapshot version's data; `undefined` when that version is gone. */
export async function snapshotData(db: Reader, roomId: string, version: number): Promise<Uint8Array | undefined> {
  const [row] = await db
    .select({ base64: snapshotBase64 })
    .from(roomSnapshots)
    .where(and(eq(roomSnapshots.roomId, roomId), eq(roomSnapshots.version, version)));
  return row ? fromBase64(row.base64) : undefined;
}

/** A room's durable log, oldest first: applied in this order, it rebuilds what was acknowledged. */
export async function loggedUpdates(db: Reader, roomId: string): Promise<Array<{ seq: number; update: Uint8Array }>> {
  // As base64, like the snapshots: a burst just before an unload can leave megabytes here.
  const rows = await db
    .select({ seq: roomUpdates.seq, base64: base64Of(roomUpdates.update) })
    .from(roomUpdates)
    .where(eq(roomUpdates.roomId, roomId))
    .orderBy(asc(roomUpdates.seq));
  return rows.map((row) => ({ seq: Number(row.seq), update: fromBase64(row.base64) }));
}
