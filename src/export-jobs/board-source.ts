import type { Hocuspocus } from '@hocuspocus/server';
import * as Y from 'yjs';
import type { Db } from '../db/client.ts';
import { applyStoredRoom, UnreadableSnapshotError } from '../documents/stored-room.ts';
import { readBoardFromYDoc, type Board } from '../render/index.ts';
import type { Logger } from '../log.ts';
import { RenderError } from './render-pool.ts';

export interface BoardSourceConfiguration {
  hocuspocus: Hocuspocus;
  db: Db;
  log: Logger;
}

/**
 * The current board of a room: from memory when this instance has the room loaded
 * (what its clients see right now), otherwise from the database exactly as
 * persistence loads it (`applyStoredRoom`), without loading it into Hocuspocus.
 */
export class BoardSource {
  private readonly configuration: BoardSourceConfiguration;

  constructor(configuration: BoardSourceConfiguration) {
    this.configuration = configuration;
  }

  /** @throws RenderError when the stored snapshot cannot be decoded. */
  async read(roomId: string): Promise<{ board: Board; source: 'memory' | 'database' }> {
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
}
