/**
 * The `{ put, remove }` body of `PATCH /document`: validated against tldraw's schema
 * before anything is applied, then applied to a room's Y.Doc in its tldraw-yjs
 * layout (see src/render/read-board.ts) as YKeyValue would.
 */
import type { TLRecord } from '@tldraw/tlschema';
import type * as Y from 'yjs';
import { recordsArrayName } from '../render/read-board.ts';
import type { RecordLike } from '../render/types.ts';
import { DOCUMENT_TYPES, tldrawSchema } from '../render/validate.ts';

/** A change that failed validation: its message names the record. */
export class InvalidRecordError extends Error {
  override name = 'InvalidRecordError';
}

export interface RecordChanges {
  put: RecordLike[];
  remove: string[];
}

/**
 * Checks every record with tlschema (current schema, strict: unknown keys and bad
 * values fail) and every removed id.
 * @throws InvalidRecordError naming the first bad record.
 */
export function validateChanges(put: unknown[], remove: unknown[]): RecordChanges {
  const schema = tldrawSchema();
  const records: RecordLike[] = [];
  put.forEach((value, index) => {
    const r = value as Partial<RecordLike> | null;
    const label = r && typeof r === 'object' && typeof r.id === 'string' ? `put[${index}] (${r.id.slice(0, 100)})` : `put[${index}]`;
    if (!r || typeof r !== 'object' || typeof r.id !== 'string' || typeof r.typeName !== 'string') {
      throw new InvalidRecordError(`${label}: expected a tldraw record with id and typeName`);
    }
    if (!DOCUMENT_TYPES.has(r.typeName)) {
      throw new InvalidRecordError(`${label}: typeName "${r.typeName.slice(0, 40)}" is not a document record type`);
    }
    try {
      records.push(schema.validateRecord(null as never, r as unknown as TLRecord, 'initialize', null) as unknown as RecordLike);
    } catch (error) {
      throw new InvalidRecordError(`${label}: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  const ids: string[] = [];
  remove.forEach((id, index) => {
    const type = typeof id === 'string' ? id.slice(0, id.indexOf(':')) : '';
    if (typeof id !== 'string' || id.length > 200 || !DOCUMENT_TYPES.has(type)) {
      throw new InvalidRecordError(`remove[${index}]: expected the id of a document record (e.g. "shape:…")`);
    }
    ids.push(id);
  });
  return { put: records, remove: ids };
}

type Entry = { key: string; val: unknown };

/**
 * Applies validated changes inside the caller's transaction: each put replaces any
 * entry with its id (delete, then append: YKeyValue's own layout), each remove
 * deletes the entries with its id. Sets `meta.schema` on a room that has none yet.
 * @returns how many records were written or removed.
 */
export function applyChanges(doc: Y.Doc, roomId: string, changes: RecordChanges): number {
  const array = doc.getArray<Entry>(recordsArrayName(roomId));
  const touched = new Set([...changes.put.map((r) => r.id), ...changes.remove]);
  const removable = new Set(changes.remove);
  let removed = 0;
  const entries = array.toArray();
  // From the end, so earlier indexes stay valid while deleting.
  for (let index = entries.length - 1; index >= 0; index--) {
    const key = entries[index]?.key;
    if (key === undefined || !touched.has(key)) continue;
    array.delete(index, 1);
    if (removable.delete(key)) removed++;
  }
  if (changes.put.length > 0) array.push(changes.put.map((r) => ({ key: r.id, val: r })));
  const meta = doc.getMap('meta');
  if (meta.get('schema') === undefined) meta.set('schema', tldrawSchema().serialize());
  return changes.put.length + removed;
}
