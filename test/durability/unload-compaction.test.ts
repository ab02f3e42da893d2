import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { createDatabase, type Database } from '../../src/db/client.ts';
import { roomUpdates } from '../../src/db/schema.ts';
import { compactRoom } from '../../src/documents/room-compaction.ts';
import { applyStoredRoom } from '../../src/documents/stored-room.ts';
import { createLogger } from '../../src/log.ts';
import { roomWithOwner } from '../helpers/api.ts';
import { createTestStorage, type StorageKind, type TestStorage, useMigratedDatabase, createStoredRoom } from '../helpers/db.ts';
import { openProvider, putRecord, recordIds, syncedProvider } from '../helpers/provider.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const log = createLogger('silent');

async function loggedRows(database: Database, roomId: string): Promise<number> {
  return (await database.db.select({ seq: roomUpdates.seq }).from(roomUpdates).where(eq(roomUpdates.roomId, roomId))).length;
}

// The last client leaves right after a burst of changes: the room's store on unload
// runs while their INSERTs are still committing. It waits for them (a bounded wait),
// so it compacts them too and the next load reads one snapshot, not megabytes of log.
describe('the store on unload', () => {
  let storage: TestStorage;
  let database: Database;
  let server: TestServer;
  let insertsInFlight = 0;

  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    database = createDatabase({ databaseUrl: storage.databaseUrl, dataDir: storage.dataDir });
    // Real INSERTs, each 300 ms late: still in flight when the room unloads.
    const insert = database.appendUpdates;
    const slowed: Database = {
      ...database,
      appendUpdates: async (rows) => {
        insertsInFlight++;
        try {
          await new Promise((resolve) => setTimeout(resolve, 300));
          await insert(rows);
        } finally {
          insertsInFlight--;
        }
      },
    };
    server = await startTestServer({ storage, overrides: { database: slowed }, env: { ROOM_KEEP_LOADED_MS: '0' } });
  });
  afterAll(async () => {
    await server?.close();
    await storage?.drop();
  });

  it('compacts the appends still in flight, leaving the log empty', { timeout: 60_000 }, async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const writer = openProvider(server.wsUrl, room.id, owner.token);
    await vi.waitFor(() => expect(writer.provider.isSynced).toBe(true), { timeout: 10_000 });
    for (let i = 0; i < 5; i++) putRecord(writer.doc, room.id, `shape:burst${i}`, { text: 'x'.repeat(2_000) });
    // Sent, not acknowledged yet: the INSERTs are on their way.
    await vi.waitFor(() => expect(writer.provider.unsyncedChanges).toBeGreaterThan(0));
    await new Promise((resolve) => setTimeout(resolve, 50));
    writer.destroy();
    await vi.waitFor(() => expect(server.hocuspocus.documents.has(room.id)).toBe(false), { timeout: 20_000 });
    // Whatever the store did not wait for has committed by now.
    await vi.waitFor(() => expect(insertsInFlight).toBe(0), { timeout: 10_000 });

    expect(await loggedRows(database, room.id)).toBe(0);
    const reader = await syncedProvider(server.wsUrl, room.id, owner.token);
    expect(recordIds(reader.doc, room.id).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `shape:burst${i}`));
  });
});

// A crash (or a store that gave up waiting) can still leave rows the newest snapshot
// contains. They change nothing: the room loads as exactly that snapshot, whose bytes
// the first joiners are sent without encoding the document again.
describe.each<StorageKind>(['postgres', 'pglite'])('a load over rows the snapshot contains, on %s', (kind) => {
  const migrated = useMigratedDatabase(kind);

  it('is the snapshot exactly, until a row adds something', async () => {
    const database = migrated();
    const room = await createStoredRoom(database, 'u1');
    const source = new Y.Doc();
    const updates: Uint8Array[] = [];
    source.on('update', (update: Uint8Array) => updates.push(update));
    for (let i = 0; i < 3; i++) putRecord(source, room.id, `shape:s${i}`, {});
    const live = new Y.Doc();
    for (const update of updates) Y.applyUpdate(live, update);
    await compactRoom({ db: database.db, roomId: room.id, doc: live, containedVersion: undefined, keepVersions: 5, origin: 'test' });
    // Logged again after the snapshot: already in it.
    await database.appendUpdates(updates.map((update) => ({ roomId: room.id, update: Buffer.from(update) })));

    const loaded = await applyStoredRoom(new Y.Doc(), room.id, { db: database.db, log });
    expect(loaded.wholeState).toBeDefined();
    expect(Buffer.from(loaded.wholeState!).equals(Buffer.from(Y.encodeStateAsUpdate(live)))).toBe(true);

    putRecord(source, room.id, 'shape:new', {});
    await database.appendUpdates([{ roomId: room.id, update: Buffer.from(updates.at(-1)!) }]);
    const grown = new Y.Doc();
    const reloaded = await applyStoredRoom(grown, room.id, { db: database.db, log });
    expect(reloaded.wholeState).toBeUndefined();
    expect(recordIds(grown, room.id)).toContain('shape:new');
  });
});
