import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { Logger } from '../log.ts';

/** Stored data Yjs could not decode: a log row (`seq`) or a snapshot (`version`). */
export interface Unreadable {
  kind: 'update' | 'snapshot';
  /** The log row's seq or the snapshot's version. */
  id: number;
  error: string;
}

/** Anything with `execute`: the database or a transaction on it. */
type Executor = Pick<Db, 'execute'>;

/**
 * Moves undecodable rows out of `room_updates` / `room_snapshots` into
 * `quarantined_data`, each in one statement (DELETE … RETURNING feeding the INSERT),
 * so a row is either still where it was or quarantined, never lost or copied twice
 * (a second mover finds nothing left to delete).
 */
export async function quarantine(db: Executor, roomId: string, items: Unreadable[]): Promise<void> {
  for (const item of items) {
    if (item.kind === 'update') {
      await db.execute(sql`
        WITH moved AS (DELETE FROM room_updates WHERE room_id = ${roomId} AND seq = ${item.id} RETURNING seq, update, created_at)
        INSERT INTO quarantined_data (room_id, kind, source_id, data, error, created_at)
        SELECT ${roomId}, 'update', seq, update, ${item.error}, created_at FROM moved`);
    } else {
      await db.execute(sql`
        WITH moved AS (DELETE FROM room_snapshots WHERE room_id = ${roomId} AND version = ${item.id}
                       RETURNING version, snapshot_data, created_at)
        INSERT INTO quarantined_data (room_id, kind, source_id, data, error, created_at)
        SELECT ${roomId}, 'snapshot', version, snapshot_data, ${item.error}, created_at FROM moved`);
    }
  }
}

/** One error log line per quarantined item, with what to look for. */
export function logQuarantined(log: Logger, roomId: string, items: Unreadable[]): void {
  for (const item of items) {
    log.error(
      { roomId, kind: item.kind, [item.kind === 'update' ? 'seq' : 'version']: item.id, reason: item.error },
      `undecodable ${item.kind === 'update' ? 'log row' : 'snapshot'} moved to quarantined_data`,
    );
  }
}

export function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}
