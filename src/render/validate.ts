/**
 * Makes an untrusted board safe to render: keeps document-scope records, migrates them from
 * the board's schema to tldraw's current one, and validates each with tlschema. A record
 * that fails is skipped and named in the log; a board that cannot be read at all throws.
 */
import { createTLSchema, type TLRecord } from '@tldraw/tlschema';
import type { Board, ExportLog, RecordLike, ValidBoard } from './types.ts';

/** Record types that belong to the document (session and presence records are dropped). */
export const DOCUMENT_TYPES = new Set(['document', 'page', 'shape', 'binding', 'asset', 'user']);

type Schema = ReturnType<typeof createTLSchema>;
let defaultSchema: Schema | undefined;

/** tldraw's default schema, built on first use (it is immutable, so one is shared). */
export function tldrawSchema(): Schema {
  defaultSchema ??= createTLSchema();
  return defaultSchema;
}

/**
 * Migrates and validates a board.
 * @param board - records and serialized schema as read from a room or a .tldr file
 * @param log - receives one warning per skipped record
 * @returns the board with only valid, current-schema document records
 * @throws Error when the board is not a tldraw document or its schema cannot be migrated
 */
export function validateBoard(board: Board, log?: ExportLog): ValidBoard {
  if (!board || typeof board !== 'object' || !Array.isArray(board.records)) {
    throw new Error('Board is not a tldraw document: expected { schema, records: [...] }');
  }
  const schema = tldrawSchema();
  const records: RecordLike[] = [];
  for (const r of board.records as unknown[]) {
    if (!isRecordLike(r)) {
      log?.warn({ record: describe(r) }, 'export: skipped a value that is not a tldraw record');
    } else if (DOCUMENT_TYPES.has(r.typeName)) {
      records.push(r);
    }
  }
  const migrated = board.schema ? migrate(schema, board.schema, records, log) : records;
  const valid: TLRecord[] = [];
  for (const r of migrated) {
    try {
      // validateRecord only reads the store for custom failure handlers, which we do not use.
      valid.push(schema.validateRecord(null as never, r as unknown as TLRecord, 'initialize', null));
    } catch (error) {
      log?.warn({ recordId: r.id, typeName: r.typeName, err: errorMessage(error) }, `export: skipped invalid record ${r.id}`);
    }
  }
  return { schema: schema.serialize(), records: valid };
}

function migrate(schema: Schema, from: unknown, records: RecordLike[], log?: ExportLog): RecordLike[] {
  // A schema newer than ours (or malformed) cannot be migrated at all: that is the
  // document's fault, not one record's.
  const plan = schema.getMigrationsSince(from as never);
  if (!plan.ok) throw new Error(`Board schema cannot be migrated to tldraw's current schema (${String(plan.error)})`);
  if (plan.value.length === 0) return records;
  const run = (list: RecordLike[]) =>
    schema.migrateStoreSnapshot({ store: Object.fromEntries(list.map((r) => [r.id, r])) as never, schema: from as never });
  const all = run(records);
  if (all.type === 'success') return Object.values(all.value) as unknown as RecordLike[];
  if (all.reason !== 'migration-error') {
    throw new Error(`Board schema cannot be migrated to tldraw's current schema (${all.reason})`);
  }
  // One bad record fails the whole snapshot: migrate one by one to find and skip it.
  const out: RecordLike[] = [];
  for (const r of records) {
    const one = run([r]);
    if (one.type === 'success') out.push(...(Object.values(one.value) as unknown as RecordLike[]));
    else log?.warn({ recordId: r.id, typeName: r.typeName, err: one.reason }, `export: skipped record ${r.id} that failed migration`);
  }
  return out;
}

function isRecordLike(v: unknown): v is RecordLike {
  return !!v && typeof v === 'object' && typeof (v as RecordLike).id === 'string' && typeof (v as RecordLike).typeName === 'string';
}

function describe(v: unknown): string {
  return JSON.stringify(v)?.slice(0, 80) ?? String(v);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
