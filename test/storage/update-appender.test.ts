import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { roomUpdates } from '../../src/db/schema.ts';
import { RoomStore } from '../../src/rooms/room-store.ts';
import { UserStore } from '../../src/users/user-store.ts';
import { type StorageKind, useMigratedDatabase } from '../helpers/db.ts';

// The durable log's INSERT, on both engines, from a pool that has not run a query yet:
// the first appends after a start arrive together (every reconnecting client at once).
describe.each<StorageKind>(['postgres', 'pglite'])('durable-log appends on %s', (kind) => {
  const migrated = useMigratedDatabase(kind);

  it('stores concurrent first batches whole', async () => {
    const database = migrated();
    await new UserStore(database.db).create({ id: 'u1', name: 'U' });
    const room = await new RoomStore(database.db).create({ name: 'r', ownerId: 'u1', visibility: 'private', passwordHash: null });
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
});
