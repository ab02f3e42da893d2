import { type SQL, sql } from 'drizzle-orm';
import type { Db } from './client.ts';

/**
 * Runs raw SQL and returns its rows. postgres.js answers with an array, PGlite with
 * `{ rows }`; callers should not care which driver is behind the Db.
 */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/**
 * True when a database error (or one it wraps: Drizzle wraps driver errors) carries
 * this SQLSTATE, e.g. 23505 unique violation, 23503 foreign-key violation.
 */
export function hasSqlState(error: unknown, code: string): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    if ((current as { code?: unknown }).code === code) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

export const UNIQUE_VIOLATION = '23505';
export const FOREIGN_KEY_VIOLATION = '23503';

/** Bytes as postgres.js binds them to bytea (a Buffer view, no copy); PGlite takes it too. */
export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * One array parameter of `type` (Drizzle spreads a bare array into a list of
 * parameters): the statement's text stays the same for any number of values, so each
 * connection prepares it once (postgres.js keeps a prepared statement per distinct
 * text for the connection's life, so an IN or VALUES list made one per length).
 */
export function arrayParam(values: readonly (string | number | null)[], type: 'text' | 'bigint' | 'uuid'): SQL {
  return sql`${sql.param(values)}::${sql.raw(type)}[]`;
}
