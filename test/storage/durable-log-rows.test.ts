import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { roomUpdates } from '../../src/db/schema.ts';
import { compactRoom } from '../../src/documents/room-compaction.ts';
import { UpdateLog } from '../../src/documents/update-log.ts';
import { createLogger } from '../../src/log.ts';
import { type StorageKind, useMigratedDatabase, createStoredRoom } from '../helpers/db.ts';

// The durable log's INSERT, on both engines, from a pool that has not run a query yet:
// the first appends after a start arrive together (every reconnecting client at once).
describe.each<StorageKind>(['postgres', 'pglite'])('durable-log appends and their compaction on %s', (kind) => {
  const migrated = useMigratedDatabase(kind);

  it('stores concurrent first batches whole', async () => {
    const database = migrated();
    const room = await createStoredRoom(database, 'u1');
    const batch = (size: number, tag: number) =>
      Array.from({ length: size }, (_, i) => ({ roomId: room.id, update: Buffer.from([tag, i, 0, 255]) }));
    const results = await Promise.allSettled([
      database.appendUpdates(batch(3, 1)),
      database.appendUpdates(batch(1, 2)),
      database.appendUpdates(batch(2, 3)),
    ]);
    expect(results.map((result) => (result.status === 'rejected' ? String(result.reason) : 'stored'))).toEqual([
      'stored',
      'stored',
      'stored',
    ]);

    const rows = await database.db.select({ update: roomUpdates.update }).from(roomUpdates).where(eq(roomUpdates.roomId, room.id));
    expect(rows.map((row) => Buffer.from(row.update).toString('hex')).sort()).toEqual(
      [...batch(3, 1), ...batch(1, 2), ...batch(2, 3)].map((row) => row.update.toString('hex')).sort(),
    );
  });

  it('compaction deletes exactly the rows its version contains', async () => {
    const database = migrated();
    const room = await createStoredRoom(database, 'u2');
    const writer = new Y.Doc();
    const updates: Uint8Array[] = [];
    writer.on('update', (update: Uint8Array) => updates.push(update));
    for (let i = 0; i < 5; i++) writer.getMap('m').set(`k${i}`, i);
    await database.appendUpdates(updates.map((update) => ({ roomId: room.id, update: Buffer.from(update) })));

    const stored = new Y.Doc();
    const result = await compactRoom({
      db: database.db,
      roomId: room.id,
      doc: stored,
      containedVersion: undefined,
      keepVersions: 3,
      origin: null,
    });
    expect(result?.compactedRows).toBe(5);
    expect(stored.getMap('m').toJSON()).toEqual({ k0: 0, k1: 1, k2: 2, k3: 3, k4: 4 });
    expect(await database.db.select().from(roomUpdates).where(eq(roomUpdates.roomId, room.id))).toEqual([]);
  });

  it('a batch naming a deleted room fails as a foreign-key violation, so the log stores the others', async () => {
    const database = migrated();
    const kept = await createStoredRoom(database, 'u3');
    const log = new UpdateLog({ db: database.db, insertRows: database.appendUpdates, log: createLogger('silent') });
    // Appended in one turn: the INSERT that carries the missing room's row fails as a whole, and
    // only a foreign-key violation (not any error) lets the log retry its rows one by one.
    const results = await Promise.all([
      log.append(kept.id, new Uint8Array([1, 0, 255])),
      log.append('no-such-room', new Uint8Array([2])),
      log.append(kept.id, new Uint8Array([3, 0, 255])),
    ]);
    expect(results).toEqual([true, false, true]);
    const rows = await database.db.select({ update: roomUpdates.update }).from(roomUpdates).where(eq(roomUpdates.roomId, kept.id));
    expect(rows.map((row) => Buffer.from(row.update).toString('hex')).sort()).toEqual(['0100ff', '0300ff']);
    await log.close();
  });
});
