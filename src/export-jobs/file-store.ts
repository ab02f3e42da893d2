/** A stored file, ready to stream to a client. */
export interface StoredFile {
  body: ReadableStream<Uint8Array>;
  /** Bytes in `body` (the range's, when one was asked for), when the store knows them. */
  size: number | undefined;
}

/** Bytes `start` to `end` of a file, both included (as in an HTTP `Range`). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where export files and assets live. Keys are `<roomId>/…`, so a room's files share
 * a prefix and can be removed together when the room is deleted.
 */
export interface FileStore {
  readonly kind: 'local' | 's3';
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  /** The file (or the part of it `range` names), or `undefined` when it is not there. */
  get(key: string, range?: ByteRange): Promise<StoredFile | undefined>;
  delete(key: string): Promise<void>;
  /** The keys of the files directly under `<folder>/` (none when there is no such folder). */
  list(folder: string): Promise<string[]>;
  /** Deletes every file under `<folder>/` (a room's, or one asset's with its variants). */
  deleteFolder(folder: string): Promise<void>;
  /** Deletes every file under `<roomId>/`. */
  deleteRoom(roomId: string): Promise<void>;
  close(): Promise<void>;
}

/** The key of an export's file. */
export function fileKey(roomId: string, exportId: string, extension: string): string {
  return `${roomId}/${exportId}.${extension}`;
}
