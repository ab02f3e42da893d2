import type { Hocuspocus } from '@hocuspocus/server';
import * as Y from 'yjs';
import type { Db } from '../db/client.ts';
import { SnapshotStore } from '../documents/snapshot-store.ts';
import { applyStoredRoom, UnreadableSnapshotError } from '../documents/stored-room.ts';
import { readBoardFromYDoc, type Board } from '../render/index.ts';
import type { Logger } from '../log.ts';
import { RenderError } from './render-pool.ts';

export interface BoardSourceConfiguration {
  hocuspocus: Hocuspocus;
  db: Db;
  log: Logger;
}

/** Where a board was read from: the loaded room, the database, or one stored version. */
export type BoardOrigin = 'memory' | 'database' | 'version';

/**
 * The board of a room: its current one from memory when this instance has the room
 * loaded (what its clients see right now), otherwise from the database exactly as
 * persistence loads it (`applyStoredRoom`), without loading it into Hocuspocus; or
 * one stored version of it.
 */
export class BoardSource {
  private readonly configuration: BoardSourceConfiguration;
  private readonly snapshots: SnapshotStore;

  constructor(configuration: BoardSourceConfiguration) {
    this.configuration = configuration;
    this.snapshots = new SnapshotStore(configuration.db);
  }

  /**
   * @param version - a stored version to read instead of the current board
   * @throws RenderError when the stored data cannot be decoded, or the version is gone
   */
  async read(roomId: string, version?: number): Promise<{ board: Board; source: BoardOrigin }> {
    if (version !== undefined) return { board: await this.readVersion(roomId, version), source: 'version' };
    const { hocuspocus, db, log } = this.configuration;
    const loaded = hocuspocus.documents.get(roomId);
    if (loaded) return { board: readBoardFromYDoc(loaded, roomId), source: 'memory' };

    const doc = new Y.Doc();
    try {
      await applyStoredRoom(doc, roomId, { db, log });
      return { board: readBoardFromYDoc(doc, roomId), source: 'database' };
    } catch (error) {
      if (error instanceof UnreadableSnapshotError) throw new RenderError(error.message);
      throw error;
    } finally {
      doc.destroy();
    }
  }

  private async readVersion(roomId: string, version: number): Promise<Board> {
    const data = await this.snapshots.get(roomId, version);
    // Pruned (or quarantined) after the export was requested: no retry brings it back.
    if (!data) throw new RenderError(`Version ${version} of the room no longer exists`);
    const doc = new Y.Doc();
    try {
      try {
        Y.applyUpdate(doc, data);
      } catch (error) {
        throw new RenderError(`Version ${version} cannot be decoded: ${error instanceof Error ? error.message : String(error)}`);
      }
      return readBoardFromYDoc(doc, roomId);
    } finally {
      doc.destroy();
    }
  }
}
