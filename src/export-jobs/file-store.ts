/** A stored export file, ready to stream to a client. */
export interface StoredFile {
  body: ReadableStream<Uint8Array>;
  /** Bytes, when the store knows them. */
  size: number | undefined;
}

/**
 * Where export files live. Keys are `<roomId>/<exportId>.<ext>`, so a room's files
 * share a prefix and can be removed together when the room is deleted.
 */
export interface FileStore {
  readonly kind: 'local' | 's3';
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  /** The file, or `undefined` when it is not there. */
  get(key: string): Promise<StoredFile | undefined>;
  delete(key: string): Promise<void>;
  /** Deletes every file under `<roomId>/`. */
  deleteRoom(roomId: string): Promise<void>;
  close(): Promise<void>;
}

/** The key of an export's file. */
export function fileKey(roomId: string, exportId: string, extension: string): string {
  return `${roomId}/${exportId}.${extension}`;
}
