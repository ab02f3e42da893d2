import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createDatabase, type Database } from '../../src/db/client.ts';
import { roomSnapshots } from '../../src/db/schema.ts';
import { SnapshotStore } from '../../src/documents/snapshot-store.ts';
import { RoomStore } from '../../src/rooms/room-store.ts';
import { UserStore } from '../../src/users/user-store.ts';
import { createTestStorage, type StorageKind, type TestStorage } from '../helpers/db.ts';

// One contract, both storage engines: what holds on PostgreSQL must hold on PGlite.
describe.each<StorageKind>(['postgres', 'pglite'])('snapshot store on %s', (kind) => {
  let storage: TestStorage;
  let database: Database;
  let snapshots: SnapshotStore;
  let rooms: RoomStore;

  beforeAll(async () => {
    storage = await createTestStorage(kind);
    database = createDatabase(storage);
    await database.migrate();
    snapshots = new SnapshotStore(database.db);
    rooms = new RoomStore(database.db);
    await new UserStore(database.db).create({ id: 'u1', name: 'U' });
  });
  afterAll(async () => {
    await database.close();
    await storage.drop();
  });

  const newRoom = () => rooms.create({ name: 'r', ownerId: 'u1', visibility: 'private', passwordHash: null });

  it('appends increasing versions and returns the newest', async () => {
    const room = await newRoom();
    const doc = new Y.Doc();
    for (let i = 1; i <= 3; i++) {
      doc.getMap('m').set('i', i);
      expect(await snapshots.append(room.id, Y.encodeStateAsUpdate(doc), Y.encodeStateVector(doc))).toBe(i);
    }
    const latest = await snapshots.latest(room.id);
    expect(latest?.version).toBe(3);
    const loaded = new Y.Doc();
    Y.applyUpdate(loaded, latest!.data);
    expect(loaded.getMap('m').get('i')).toBe(3);
  });

  it('never gives two concurrent stores the same version', async () => {
    const room = await newRoom();
    const bytes = new Uint8Array([0, 0]);
    // On PostgreSQL, two pools, as two instances would have, storing at once.
    // PGlite is one process's database: concurrency there is within one handle.
    const second = kind === 'postgres' ? createDatabase(storage) : undefined;
    const other = second ? new SnapshotStore(second.db) : snapshots;
    try {
      const written = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? snapshots : other).append(room.id, bytes, bytes)));
      expect([...written].sort((a, b) => a! - b!)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    } finally {
      await second?.close();
    }
  });

  it('prunes all but the newest N versions', async () => {
    const room = await newRoom();
    const bytes = new Uint8Array([0, 0]);
    for (let i = 0; i < 7; i++) await snapshots.append(room.id, bytes, bytes);
    await snapshots.prune(room.id, 3);
    expect((await snapshots.list(room.id)).map((s) => s.version)).toEqual([7, 6, 5]);
  });

  it('never prunes named versions, and lists names and authors', async () => {
    const room = await newRoom();
    const bytes = new Uint8Array([0, 0]);
    for (let i = 0; i < 5; i++) await snapshots.append(room.id, bytes, bytes);
    await database.db
      .update(roomSnapshots)
      .set({ name: 'Kept', createdBy: 'u1' })
      .where(and(eq(roomSnapshots.roomId, room.id), eq(roomSnapshots.version, 1)));
    await snapshots.prune(room.id, 2);
    const listed = await snapshots.list(room.id);
    expect(listed.map((s) => [s.version, s.name, s.createdBy])).toEqual([
      [5, null, null],
      [4, null, null],
      [1, 'Kept', { id: 'u1', name: 'U' }],
    ]);
  });

  it('stores nothing for a room that does not exist', async () => {
    const bytes = new Uint8Array([0, 0]);
    expect(await snapshots.append('missing-room', bytes, bytes)).toBeUndefined();
  });

  it('loses the snapshots with their room', async () => {
    const room = await newRoom();
    await snapshots.append(room.id, new Uint8Array([0, 0]), new Uint8Array([0]));
    await rooms.delete(room.id);
    expect(await snapshots.list(room.id)).toEqual([]);
  });
});
