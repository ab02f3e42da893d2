import type { TLRecord } from 'tldraw';
import { YKeyValue } from 'y-utility/y-keyvalue';
import type * as Y from 'yjs';

/**
 * The parts of a room's Y.Doc that hold the board, in the layout of tldraw's Yjs example
 * (TLDRAW.md §10), so that the server, its exporter and other Yjs-based tldraw clients
 * read the same data.
 */
export interface RoomDocument {
  doc: Y.Doc;
  /** Document-scope records keyed by record id, over `doc.getArray('tl_<roomId>')`. */
  records: YKeyValue<TLRecord>;
  /** `meta.schema` holds the serialized store schema the records were written with. */
  meta: Y.Map<unknown>;
}

/** The `meta` key that holds the serialized schema. */
export const SCHEMA_KEY = 'schema';

/**
 * Origin of every transaction this client makes from tldraw changes, so the remote-change
 * observer can tell them apart from updates that arrive over the WebSocket.
 */
export const LOCAL_ORIGIN = Symbol('scrible-local');

/** Opens (or creates) the record array and meta map of a room in the given doc. */
export function openRoomDocument(doc: Y.Doc, roomId: string): RoomDocument {
  const array = doc.getArray<{ key: string; val: TLRecord }>(`tl_${roomId}`);
  return { doc, records: new YKeyValue(array), meta: doc.getMap('meta') };
}

/** The record values currently in the array, in array order. */
export function readStoredRecords(room: RoomDocument): TLRecord[] {
  return room.records.yarray.toArray().map((entry) => entry.val);
}
