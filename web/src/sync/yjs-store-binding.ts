import type { SerializedSchema, TLRecord, TLStore } from 'tldraw';
import type * as Y from 'yjs';
import { LOCAL_ORIGIN, SCHEMA_KEY, readStoredRecords, type RoomDocument } from './room-document.ts';
import { isSameSchema, isSchemaNewer } from './schema-compat.ts';

/** Why a board could not be loaded into this client. */
export type LoadFailure = 'schema-too-new' | 'migration-failed';

/** Options for {@link YjsStoreBinding}. */
export interface YjsStoreBindingOptions {
  store: TLStore;
  room: RoomDocument;
  /**
   * Whether local changes may be written to the doc. False for viewers: the server drops
   * their updates anyway, and writing them would leave "unsynced" changes forever.
   */
  canWrite: () => boolean;
  /** Called when another client upgrades the board past this client's schema. */
  onSchemaTooNew: () => void;
}

/** Shape of one entry in YKeyValue's `change` event. */
type KeyValueChange =
  | { action: 'add'; newValue: TLRecord }
  | { action: 'update'; oldValue: TLRecord; newValue: TLRecord }
  | { action: 'delete'; oldValue: TLRecord };

/**
 * Keeps a tldraw store and a room's Y.Doc in step: document-scope records only, user edits
 * written in one Y transaction per store change, remote edits merged with
 * `mergeRemoteChanges` so tldraw neither echoes them back nor puts them in the undo stack.
 */
export class YjsStoreBinding {
  private readonly options: YjsStoreBindingOptions;
  private readonly ourSchema: SerializedSchema;
  private readonly disposers: Array<() => void> = [];
  private stopped = false;

  constructor(options: YjsStoreBindingOptions) {
    this.options = options;
    this.ourSchema = options.store.schema.serialize();
  }

  /**
   * Loads the board into the store once the provider has synced, migrating records written
   * by older clients, then starts two-way syncing. Call it once per binding.
   * @returns null on success, otherwise why the board cannot be shown
   */
  load(): LoadFailure | null {
    const { store, room, canWrite } = this.options;
    const theirSchema = (room.meta.get(SCHEMA_KEY) as SerializedSchema | undefined) ?? this.ourSchema;
    if (isSchemaNewer(theirSchema, this.ourSchema)) return 'schema-too-new';

    const stored = readStoredRecords(room).filter((record) => this.isDocumentRecord(record));
    const migration = store.schema.migrateStoreSnapshot({
      store: Object.fromEntries(stored.map((record) => [record.id, record])),
      schema: theirSchema,
    });
    if (migration.type === 'error') {
      console.error('Cannot migrate the board', migration.reason);
      return 'migration-failed';
    }
    const records = Object.values(migration.value);

    // Rewrite migrated records so later readers (the server's exporter included) find the
    // current schema. An empty room gets its schema now; tldraw creates the document and
    // first page right after the merge below, and the store listener writes them.
    if (canWrite() && (stored.length === 0 || !isSameSchema(theirSchema, this.ourSchema))) {
      room.doc.transact(() => {
        for (const record of stored) {
          if (!migration.value[record.id]) room.records.delete(record.id);
        }
        if (stored.length > 0) {
          for (const record of records) room.records.set(record.id, record);
        }
        room.meta.set(SCHEMA_KEY, this.ourSchema);
      }, LOCAL_ORIGIN);
    }

    // Listening first: once the merge is done, tldraw adds what a usable store lacks (the
    // document and first page of an empty board) as a user change, which must reach the
    // room too, or the server would hold shapes on a page that does not exist.
    this.listenToStore();
    store.mergeRemoteChanges(() => store.put(this.keepValid(records)));
    this.listenToDocument();
    return null;
  }

  /** Stops syncing in both directions; the store and doc stay as they are. */
  dispose(): void {
    this.stopped = true;
    for (const dispose of this.disposers.splice(0)) dispose();
  }

  private listenToStore(): void {
    const { store, room, canWrite } = this.options;
    const unlisten = store.listen(
      ({ changes }) => {
        if (this.stopped || !canWrite()) return;
        room.doc.transact(() => {
          for (const record of Object.values(changes.added)) room.records.set(record.id, record);
          for (const [, record] of Object.values(changes.updated)) {
            room.records.set(record.id, record);
          }
          for (const record of Object.values(changes.removed)) room.records.delete(record.id);
        }, LOCAL_ORIGIN);
      },
      { source: 'user', scope: 'document' },
    );
    this.disposers.push(unlisten);
  }

  private listenToDocument(): void {
    const { room, onSchemaTooNew } = this.options;
    const onRecordsChange = (changes: Map<string, KeyValueChange>, transaction: Y.Transaction) => {
      if (this.stopped || transaction.local) return;
      this.applyRemoteChanges(changes);
    };
    room.records.on('change', onRecordsChange);
    this.disposers.push(() => room.records.off('change', onRecordsChange));

    const onMetaChange = (event: Y.YMapEvent<unknown>) => {
      if (this.stopped || event.transaction.local || !event.keysChanged.has(SCHEMA_KEY)) return;
      const theirSchema = room.meta.get(SCHEMA_KEY) as SerializedSchema | undefined;
      if (theirSchema && isSchemaNewer(theirSchema, this.ourSchema)) {
        // Records from here on may not validate; stop before tldraw throws on them.
        this.dispose();
        onSchemaTooNew();
      }
    };
    room.meta.observe(onMetaChange);
    this.disposers.push(() => room.meta.unobserve(onMetaChange));
  }

  private applyRemoteChanges(changes: Map<string, KeyValueChange>): void {
    const { store, room } = this.options;
    // An older client still connected writes records in its own, older schema.
    const theirSchema = room.meta.get(SCHEMA_KEY) as SerializedSchema | undefined;
    const needsMigration = theirSchema !== undefined && !isSameSchema(theirSchema, this.ourSchema);

    const toPut: TLRecord[] = [];
    const toRemove: TLRecord['id'][] = [];
    for (const [id, change] of changes) {
      if (change.action === 'delete') {
        if (store.has(id as TLRecord['id'])) toRemove.push(id as TLRecord['id']);
        continue;
      }
      let record = change.newValue;
      if (!this.isDocumentRecord(record)) continue;
      if (needsMigration) {
        const migrated = store.schema.migratePersistedRecord(record, theirSchema);
        if (migrated.type === 'error') continue;
        record = migrated.value;
      }
      toPut.push(record);
    }
    if (toPut.length === 0 && toRemove.length === 0) return;
    store.mergeRemoteChanges(() => {
      if (toRemove.length > 0) store.remove(toRemove);
      const valid = this.keepValid(toPut);
      if (valid.length > 0) store.put(valid);
    });
  }

  /** Session and presence records never belong in the doc; ignore any a client wrote. */
  private isDocumentRecord(record: TLRecord | undefined): record is TLRecord {
    if (!record || typeof record !== 'object') return false;
    return this.options.store.schema.types[record.typeName]?.scope === 'document';
  }

  /**
   * Drops records that fail tldraw's validators, so one bad record from a buggy or
   * mismatched client does not abort a whole batch (a throw inside `put` rolls it all back).
   */
  private keepValid(records: TLRecord[]): TLRecord[] {
    const { store } = this.options;
    return records.filter((record) => {
      try {
        store.schema.types[record.typeName].validate(record);
        return true;
      } catch (error) {
        console.warn(`Ignoring invalid record ${record.id}`, error);
        return false;
      }
    });
  }
}
