import type { Hocuspocus } from '@hocuspocus/server';
import * as Y from 'yjs';
import type { Db } from '../db/client.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { logQuarantined } from './quarantine.ts';
import { type CompactionResult, compactRoom, storeLoadedRoom } from './room-compaction.ts';
import type { RoomStates } from './room-state.ts';
import { SnapshotStore } from './snapshot-store.ts';
import { applyStoredRoom } from './stored-room.ts';

export interface RoomVersionsConfiguration {
  db: Db;
  /** Where a room loaded in this instance is found (its live document is stored). */
  hocuspocus: Pick<Hocuspocus, 'documents'>;
  rooms: RoomStates;
  /** SNAPSHOT_KEEP_VERSIONS: the store that names a version prunes like any other. */
  keepVersions: number;
  metrics: Metrics;
  log: Logger;
}

/** A version written by {@link RoomVersions.name}. */
export interface NamedVersion {
  version: number;
  name: string;
  createdAt: string;
  createdBy: string;
}

/**
 * Named versions (`POST /api/rooms/:id/versions`): the board now, stored as a new
 * version with a name, by the same compaction every automatic snapshot goes through
 * (`compactRoom`: under the room's row lock, merging what is stored), so it contains
 * its predecessor and every log row it compacts, like any version.
 */
export class RoomVersions {
  private readonly configuration: RoomVersionsConfiguration;

  constructor(configuration: RoomVersionsConfiguration) {
    this.configuration = configuration;
  }

  /**
   * Stores the room's board now as a version named `name`.
   * @param createdBy - the user naming it
   * @returns the version, or `undefined` when the room no longer exists
   */
  async name(roomId: string, name: string, createdBy: string): Promise<NamedVersion | undefined> {
    const { hocuspocus, rooms, metrics, log } = this.configuration;
    const document = hocuspocus.documents.get(roomId);
    const state = document && rooms.get(document);
    const stored =
      document && state
        ? // Loaded here: its live document is the board now; one store at a time, as Hocuspocus does.
          await document.saveMutex.runExclusive(() => storeLoadedRoom(state, { ...this.storeInput(), name, createdBy }))
        : await this.storeUnloaded(roomId, name, createdBy);
    if (!stored) return undefined;
    metrics.snapshotWrites.inc({ result: 'ok' });
    logQuarantined(log, roomId, stored.quarantined);
    for (const item of stored.quarantined) metrics.quarantined.inc({ kind: item.kind });
    return { version: stored.version, name, createdAt: stored.createdAt.toISOString(), createdBy };
  }

  /**
   * Before a restore: stores the board now as an unnamed version, so the restore can
   * be undone from the history; nothing when the newest version already is the board
   * now (same state and same deletions). The room must be loaded here (the restore
   * opens it first).
   * @returns the version that holds the board now: the one stored, or the newest when
   *   it already did (`undefined` only if the room was deleted meanwhile)
   */
  async keepBoardNow(roomId: string): Promise<number | undefined> {
    const { db, hocuspocus, rooms, metrics } = this.configuration;
    const document = hocuspocus.documents.get(roomId);
    const state = document && rooms.get(document);
    if (!document || !state) throw new Error(`Room ${roomId} is not loaded here`);
    return await document.saveMutex.runExclusive(async () => {
      const newest = await new SnapshotStore(db).latest(roomId);
      if (newest && sameBoard(document, newest.data)) return newest.version;
      const stored = await storeLoadedRoom(state, { ...this.storeInput(), createdBy: null });
      if (stored) metrics.snapshotWrites.inc({ result: 'ok' });
      return stored?.version;
    });
  }

  /**
   * Not loaded here: every acknowledged change of every instance is in the newest
   * snapshot plus the log, which is what the compaction writes as the new version.
   * Read in a scratch document, as exports read such rooms; nothing is loaded.
   */
  private async storeUnloaded(roomId: string, name: string, createdBy: string): Promise<CompactionResult | undefined> {
    const { db, log } = this.configuration;
    const doc = new Y.Doc();
    try {
      const loaded = await applyStoredRoom(doc, roomId, { db, log });
      return await compactRoom({
        ...this.storeInput(),
        roomId,
        doc,
        containedVersion: loaded.version,
        origin: undefined,
        name,
        createdBy,
      });
    } finally {
      doc.destroy();
    }
  }

  private storeInput() {
    return { db: this.configuration.db, keepVersions: this.configuration.keepVersions };
  }
}

/** Whether a stored version holds exactly what the live document does (the live one contains every stored one). */
function sameBoard(live: Y.Doc, stored: Uint8Array): boolean {
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, stored);
    return Y.equalSnapshots(Y.snapshot(live), Y.snapshot(doc));
  } catch {
    // Undecodable: it is not the board now, whatever it is.
    return false;
  } finally {
    doc.destroy();
  }
}
