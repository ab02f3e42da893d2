import type { Hocuspocus } from '@hocuspocus/server';
import { asc, eq } from 'drizzle-orm';
import * as Y from 'yjs';
import type { Db } from '../db/client.ts';
import { roomUpdates } from '../db/schema.ts';
import type { SnapshotStore } from '../documents/snapshot-store.ts';
import { readBoardFromYDoc, type Board } from '../export/index.ts';
import { RenderError } from './render-pool.ts';

export interface BoardSourceConfiguration {
  hocuspocus: Hocuspocus;
  snapshots: SnapshotStore;
  db: Db;
}

/**
 * The current board of a room: from memory when this instance has the room loaded
 * (what its clients see right now), otherwise from the database: the newest snapshot
 * with the durable update log (`room_updates`) applied on top. Applying an update
 * twice is harmless in Yjs, so log rows a snapshot already covers do no damage.
 */
export class BoardSource {
  private readonly configuration: BoardSourceConfiguration;

  constructor(configuration: BoardSourceConfiguration) {
    this.configuration = configuration;
  }

  async read(roomId: string): Promise<{ board: Board; source: 'memory' | 'database' }> {
    const loaded = this.configuration.hocuspocus.documents.get(roomId);
    if (loaded) return { board: readBoardFromYDoc(loaded, roomId), source: 'memory' };

    const doc = new Y.Doc({ gc: true });
    try {
      const snapshot = await this.configuration.snapshots.latest(roomId);
      const log = await this.configuration.db
        .select({ update: roomUpdates.update })
        .from(roomUpdates)
        .where(eq(roomUpdates.roomId, roomId))
        .orderBy(asc(roomUpdates.seq));
      try {
        if (snapshot) Y.applyUpdate(doc, snapshot.data);
        if (log.length > 0) Y.applyUpdate(doc, Y.mergeUpdates(log.map((row) => row.update)));
      } catch (error) {
        throw new RenderError(`The room's stored document cannot be decoded: ${error instanceof Error ? error.message : String(error)}`);
      }
      return { board: readBoardFromYDoc(doc, roomId), source: 'database' };
    } finally {
      doc.destroy();
    }
  }
}
