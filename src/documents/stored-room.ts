import * as Y from 'yjs';
import type { Db } from '../db/client.ts';
import type { Logger } from '../log.ts';
import { changesEncoding } from './full-state-cache.ts';
import { errorText, type Unreadable } from './quarantine.ts';
import { loggedUpdates, snapshotData, snapshotVersions } from './stored-rows.ts';

export interface StoredRoomSources {
  db: Db;
  log: Logger;
}

export interface StoredRoom {
  /** The snapshot version the document now contains (`undefined`: the room had none). */
  version: number | undefined;
  /** Stored data Yjs could not decode and that was skipped: newer snapshots, log rows. */
  unreadable: Unreadable[];
  /** Bytes read: the snapshot plus the applied rows (an upper bound of the document). */
  bytes: number;
  /**
   * The snapshot's bytes when the document holds exactly them (no log row applied,
   * nothing skipped or held back): a full-state update of the document as loaded,
   * which the first joiners can be sent without encoding it again.
   */
  wholeState: Uint8Array | undefined;
}

/** None of the room's stored snapshots is a Yjs update. */
export class UnreadableSnapshotError extends Error {
  override name = 'UnreadableSnapshotError';
}

/**
 * Applies a room's stored state to `doc`: the newest snapshot that decodes, then
 * every logged update on top (those the snapshot covers are no-ops: Yjs updates are
 * idempotent). Snapshot and log are read in one REPEATABLE READ transaction, so a
 * compaction committing meanwhile (new snapshot + deleted rows, atomically) is
 * seen entirely or not at all: a load never misses rows that moved into a snapshot.
 *
 * Undecodable data is skipped and reported, not fatal: a newer snapshot that does
 * not decode falls back to the next older one, and a bad log row is left out. Used
 * by persistence (loading a room) and by exports (reading a room that is not
 * loaded), so both see the same board.
 *
 * @throws UnreadableSnapshotError when the room has snapshots and none decodes.
 */
export async function applyStoredRoom(doc: Y.Doc, roomId: string, { db, log }: StoredRoomSources): Promise<StoredRoom> {
  return db.transaction(
    async (tx) => {
      const result: StoredRoom = { version: undefined, unreadable: [], bytes: 0, wholeState: undefined };
      let snapshot: Uint8Array | undefined;
      const versions = await snapshotVersions(tx, roomId);
      for (const { version } of versions) {
        const data = await snapshotData(tx, roomId, version);
        if (!data) continue;
        try {
          withoutUpdateEvents(doc, () => Y.applyUpdate(doc, data));
          snapshot = data;
          result.version = version;
          result.bytes = data.byteLength;
          break;
        } catch (error) {
          result.unreadable.push({ kind: 'snapshot', id: version, error: errorText(error) });
          log.error({ err: error, roomId, version }, 'undecodable snapshot; falling back to the previous version');
        }
      }
      if (versions.length > 0 && result.version === undefined) {
        throw new UnreadableSnapshotError(`None of the room's ${versions.length} stored versions can be decoded`);
      }
      const rows = await loggedUpdates(tx, roomId);
      let rowsChanged = false;
      const noteChange = (transaction: Y.Transaction) => {
        rowsChanged = changesEncoding(transaction);
      };
      doc.once('afterTransaction', noteChange);
      Y.transact(doc, () => {
        for (const row of rows) {
          try {
            Y.applyUpdate(doc, row.update);
            result.bytes += row.update.byteLength;
          } catch (error) {
            result.unreadable.push({ kind: 'update', id: row.seq, error: errorText(error) });
            log.error({ err: error, roomId, seq: row.seq }, 'undecodable update in the log; skipped');
          }
        }
      });
      doc.off('afterTransaction', noteChange);
      // Rows the snapshot already contains (left by a store that ran while they were
      // committing) change nothing: the document is still exactly the snapshot.
      if (!rowsChanged && result.unreadable.length === 0 && !doc.store.pendingStructs && !doc.store.pendingDs) {
        result.wholeState = snapshot;
      }
      return result;
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

/**
 * Applies stored state without the document's 'update' event: Yjs encodes the whole
 * change again to emit it (as long as applying a 5 MB board), and nothing listens for
 * a load (Hocuspocus starts broadcasting and storing after it). Other events
 * (transactions, observers) still run.
 */
function withoutUpdateEvents(doc: Y.Doc, apply: () => void): void {
  const listeners = doc._observers.get('update');
  if (listeners) doc._observers.delete('update');
  try {
    apply();
  } finally {
    if (listeners) doc._observers.set('update', listeners);
  }
}
