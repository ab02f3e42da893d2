import * as Y from 'yjs';
import type { Logger } from '../log.ts';
import type { SnapshotStore } from './snapshot-store.ts';
import type { UpdateLog } from './update-log.ts';

export interface StoredRoomSources {
  snapshots: Pick<SnapshotStore, 'latest'>;
  updates: Pick<UpdateLog, 'read'>;
  log: Logger;
}

export interface StoredRoom {
  /** Log rows now contained in the document. */
  appliedSeqs: number[];
  /** Log rows Yjs could not read (skipped and logged). */
  unreadableSeqs: number[];
  /** Bytes read: the snapshot plus the applied rows (an upper bound of the document). */
  bytes: number;
}

/** The stored snapshot of a room is not a Yjs update. */
export class UnreadableSnapshotError extends Error {
  override name = 'UnreadableSnapshotError';
}

/**
 * Applies a room's stored state to `doc`: the newest snapshot, then every logged
 * update on top (those the snapshot covers are no-ops: Yjs updates are idempotent).
 * A log row Yjs cannot read is skipped and reported rather than making the room
 * impossible to open. Used by persistence (loading a room) and by exports (reading a
 * room that is not loaded), so both see the same board.
 *
 * @throws UnreadableSnapshotError when the snapshot itself cannot be decoded.
 */
export async function applyStoredRoom(doc: Y.Doc, roomId: string, { snapshots, updates, log }: StoredRoomSources): Promise<StoredRoom> {
  const [latest, rows] = await Promise.all([snapshots.latest(roomId), updates.read(roomId)]);
  const result: StoredRoom = { appliedSeqs: [], unreadableSeqs: [], bytes: latest?.data.byteLength ?? 0 };
  Y.transact(doc, () => {
    if (latest) {
      try {
        Y.applyUpdate(doc, latest.data);
      } catch (error) {
        throw new UnreadableSnapshotError(
          `The room's stored document cannot be decoded: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    for (const row of rows) {
      try {
        Y.applyUpdate(doc, row.update);
        result.appliedSeqs.push(row.seq);
        result.bytes += row.update.byteLength;
      } catch (error) {
        result.unreadableSeqs.push(row.seq);
        log.error({ err: error, roomId, seq: row.seq }, 'unreadable update in the log; skipped');
      }
    }
  });
  return result;
}
