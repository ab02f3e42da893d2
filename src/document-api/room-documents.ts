import type { Hocuspocus } from '@hocuspocus/server';
import * as Y from 'yjs';
import type { RoomStates } from '../documents/room-state.ts';
import { applyStoredRoom } from '../documents/stored-room.ts';
import type { UpdateLog } from '../documents/update-log.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../log.ts';

export interface RoomDocumentsConfiguration {
  hocuspocus: Hocuspocus;
  /** Reads rooms not loaded here (snapshot plus log, as persistence loads them). */
  db: Db;
  updates: Pick<UpdateLog, 'append'>;
  /** Per-room state: the size bound the limit is checked against. */
  rooms: RoomStates;
  log: Logger;
  maxDocumentBytes: number;
  /** Append REST changes to the durable log before answering (DURABLE_LOG). */
  durableLog: boolean;
}

/** A change would grow the document past MAX_DOCUMENT_BYTES. */
export class DocumentTooLargeError extends Error {
  override name = 'DocumentTooLargeError';
}

/**
 * Reads and changes rooms' documents for the REST API. A change goes through a
 * Hocuspocus direct connection, so it is applied, broadcast to this instance's
 * clients, published to other instances and stored exactly like a client's update;
 * it is appended to the durable log before `change` resolves.
 */
export class RoomDocuments {
  private readonly configuration: RoomDocumentsConfiguration;

  constructor(configuration: RoomDocumentsConfiguration) {
    this.configuration = configuration;
  }

  /**
   * Runs `read` on the room's current document: the loaded one (what clients see
   * now) or, when it is not loaded here, the stored one (snapshot plus durable log,
   * which holds every acknowledged change of every instance). Nothing is loaded.
   */
  async read<T>(roomId: string, read: (doc: Y.Doc) => T): Promise<T> {
    const loaded = this.configuration.hocuspocus.documents.get(roomId);
    if (loaded) return read(loaded);
    const doc = new Y.Doc();
    try {
      await applyStoredRoom(doc, roomId, this.configuration);
      return read(doc);
    } finally {
      doc.destroy();
    }
  }

  /**
   * Applies `mutate` as one transaction of the room's document and makes it durable.
   * @param expectedBytes - an estimate of the change's size, checked against the limit first.
   * @param context - becomes the change's origin context (who made it).
   * @param logged - what to append to the log: the raw update given, or (default) the captured one.
   */
  async change<T>(
    roomId: string,
    options: { expectedBytes: number; context: Record<string, unknown>; rawUpdate?: Uint8Array },
    mutate: (doc: Y.Doc) => T,
  ): Promise<T> {
    const { hocuspocus, rooms, maxDocumentBytes, updates, durableLog } = this.configuration;
    const connection = await hocuspocus.openDirectConnection(roomId, options.context);
    try {
      const doc = connection.document!;
      const room = rooms.get(connection.document!);
      if ((room?.bytesBound ?? 0) + options.expectedBytes > maxDocumentBytes) {
        throw new DocumentTooLargeError(`The room's document would exceed ${maxDocumentBytes} bytes`);
      }
      const captured: Uint8Array[] = [];
      const capture = (update: Uint8Array) => captured.push(update);
      let result: T | undefined;
      // Yjs emits the transaction's update synchronously at its end, so everything
      // captured here is this change (the document is single-threaded).
      doc.on('update', capture);
      try {
        await connection.transact((document) => {
          result = mutate(document);
        });
      } finally {
        doc.off('update', capture);
      }
      const update = options.rawUpdate ?? (captured.length > 0 ? Y.mergeUpdates(captured) : undefined);
      if (durableLog && update && captured.length > 0) {
        try {
          await updates.append(roomId, update);
        } catch (error) {
          // Applied but not durable: hold every acknowledgement in the room until a
          // store has written the document (see RoomState.holdAcknowledgements).
          room?.holdAcknowledgements();
          throw error;
        }
      }
      return result as T;
    } finally {
      // Keep it warm: the store is debounced like a client's change, not forced now.
      await connection.disconnect({ unloadImmediately: false });
    }
  }
}
