/**
 * Reads and writes a room's tldraw document in its Yjs layout (tldraw-yjs-example): a
 * y-utility YKeyValue over the Y.Array `tl_<roomId>` holding `{key: id, val: record}`
 * pairs, and the serialized store schema under `schema` in the Y.Map `meta`.
 */
import { YKeyValue } from 'y-utility/y-keyvalue';
import type * as Y from 'yjs';
import type { Board, RecordLike } from './types.ts';
import { DOCUMENT_TYPES } from './validate.ts';

type Entry = { key: string; val: unknown };

/** Name of the Y.Array that holds a room's records. */
export function recordsArrayName(roomId: string): string {
  return `tl_${roomId}`;
}

/**
 * Reads the board of a room from its Y.Doc without changing the doc or observing it (so it
 * is safe on a live document). When a key appears twice the rightmost entry wins, as in
 * YKeyValue. Only document-scope records are returned.
 * @param doc - the room's document
 * @param roomId - the room id (the array is `tl_<roomId>`)
 * @returns the schema from `meta.schema` (undefined when absent) and the records
 * @example const board = readBoardFromYDoc(doc, 'abc123')
 */
export function readBoardFromYDoc(doc: Y.Doc, roomId: string): Board {
  const latest = new Map<string, unknown>();
  for (const entry of doc.getArray<Entry>(recordsArrayName(roomId)).toArray()) {
    if (entry && typeof entry.key === 'string') latest.set(entry.key, entry.val);
  }
  const records: RecordLike[] = [];
  for (const val of latest.values()) {
    const r = val as RecordLike | null;
    if (r && typeof r === 'object' && DOCUMENT_TYPES.has(r.typeName)) records.push(r);
  }
  const raw = doc.getMap('meta').get('schema') as { toJSON?: () => unknown } | undefined;
  // A client may have stored the schema as a nested Y type; plain JSON is the norm.
  const schema = raw && typeof raw.toJSON === 'function' ? raw.toJSON() : raw;
  return { schema, records };
}

/**
 * Loads a board into a room's Y.Doc in one transaction: every document-scope record is set
 * through YKeyValue (replacing an existing entry with the same id) and `meta.schema` is set.
 * Meant for tests and tools (e.g. importing a .tldr into a new room); the YKeyValue it
 * creates keeps observing the array for the doc's lifetime.
 * @param doc - the room's document
 * @param roomId - the room id
 * @param board - schema and records, e.g. from a .tldr file
 */
export function writeBoardToYDoc(doc: Y.Doc, roomId: string, board: Board): void {
  const kv = new YKeyValue<unknown>(doc.getArray<Entry>(recordsArrayName(roomId)));
  doc.transact(() => {
    for (const r of board.records) {
      if (DOCUMENT_TYPES.has(r.typeName)) kv.set(r.id, r);
    }
    if (board.schema !== undefined) doc.getMap('meta').set('schema', board.schema);
  });
}
