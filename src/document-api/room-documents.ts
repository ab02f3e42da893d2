import type { Hocuspocus } from '@hocuspocus/server';
import * as Y from 'yjs';
import type { DocumentSizes } from '../documents/document-sizes.ts';
import type { LoggedSeqs } from '../documents/logged-seqs.ts';
import type { SnapshotStore } from '../documents/snapshot-store.ts';
import { applyStoredRoom } from '../documents/stored-room.ts';
import type { UpdateLog } from '../documents/update-log.ts';
import type { Logger } from '../log.ts';

export interface RoomDocumentsConfiguration {
  hocuspocus: Hocuspocus;
  snapshots: Pick<SnapshotStore, 'latest'>;
  updates: Pick<UpdateLog, 'read' | 'append'>;
  logged: LoggedSeqs;
  sizes: DocumentSizes;
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
    const { hocuspocus, sizes, maxDocumentBytes, updates, logged, durableLog } = this.configuration;
    const connection = await hocuspocus.openDirectConnection(roomId, options.context);
    try {
      const doc = connection.document!;
      if (sizes.get(roomId) + options.expectedBytes > maxDocumentBytes) {
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
        const seq = await updates.append(roomId, update);
        // The document contains this row, so its next snapshot may compact it.
        if (seq !== undefined) logged.add(roomId, seq);
      }
      return result as T;
    } finally {
      // Keep it warm: the store is debounced like a client's change, not forced now.
      await connection.disconnect({ unloadImmediately: false });
    }
  }
}
