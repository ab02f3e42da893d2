import type { Hocuspocus } from '@hocuspocus/server';
import * as Y from 'yjs';
import type { SnapshotStore } from '../documents/snapshot-store.ts';
import type { UpdateLog } from '../documents/update-log.ts';
import { readBoardFromYDoc, type Board } from '../export/index.ts';
import type { Logger } from '../log.ts';
import { RenderError } from './render-pool.ts';

export interface BoardSourceConfiguration {
  hocuspocus: Hocuspocus;
  snapshots: Pick<SnapshotStore, 'latest'>;
  updates: Pick<UpdateLog, 'read'>;
  log: Logger;
}

/**
 * The current board of a room: from memory when this instance has the room loaded
 * (what its clients see right now), otherwise from the database the way persistence
 * loads a room: the newest snapshot, then every logged update (`room_updates`) on
 * top. Updates the snapshot already covers are no-ops in Yjs; a log row Yjs cannot
 * read is skipped and logged, as on load. The room is never loaded into Hocuspocus.
 */
export class BoardSource {
  private readonly configuration: BoardSourceConfiguration;

  constructor(configuration: BoardSourceConfiguration) {
    this.configuration = configuration;
  }

  /** @throws RenderError when the stored snapshot cannot be decoded. */
  async read(roomId: string): Promise<{ board: Board; source: 'memory' | 'database' }> {
    const { hocuspocus, snapshots, updates, log } = this.configuration;
    const loaded = hocuspocus.documents.get(roomId);
    if (loaded) return { board: readBoardFromYDoc(loaded, roomId), source: 'memory' };

    const [snapshot, rows] = await Promise.all([snapshots.latest(roomId), updates.read(roomId)]);
    const doc = new Y.Doc();
    try {
      if (snapshot) {
        try {
          Y.applyUpdate(doc, snapshot.data);
        } catch (error) {
          throw new RenderError(`The room's stored document cannot be decoded: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      for (const row of rows) {
        try {
          Y.applyUpdate(doc, row.update);
        } catch (error) {
          log.warn({ err: error, roomId, seq: row.seq }, 'export: skipped an unreadable update in the log');
        }
      }
      return { board: readBoardFromYDoc(doc, roomId), source: 'database' };
    } finally {
      doc.destroy();
    }
  }
}
