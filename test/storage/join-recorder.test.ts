import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { roomParticipants, rooms, users } from '../../src/db/schema.ts';
import { createLogger } from '../../src/log.ts';
import { JoinRecorder } from '../../src/rooms/join-recorder.ts';
import { RoomStore } from '../../src/rooms/room-store.ts';
import { UserStore } from '../../src/users/user-store.ts';
import { type StorageKind, useMigratedDatabase } from '../helpers/db.ts';

// The join/leave bookkeeping's batched statements, on both engines: rows for every
// join of a batch (new and known users, several rooms), none for a room that is gone,
// and the leaves closing exactly their rows.
describe.each<StorageKind>(['postgres', 'pglite'])('join recorder on %s', (kind) => {
  const migrated = useMigratedDatabase(kind);

  it('records a batch of joins and then its leaves', async () => {
    const database = migrated();
    const userStore = new UserStore(database.db);
    await userStore.ensure({ id: 'owner', name: 'Owner' });
    const roomStore = new RoomStore(database.db);
    const first = await roomStore.create({ name: 'a', ownerId: 'owner', visibility: 'public', passwordHash: null });
    const second = await roomStore.create({ name: 'b', ownerId: 'owner', visibility: 'public', passwordHash: null });
    await database.db
      .update(rooms)
      .set({ lastActive: new Date('2020-01-01T00:00:00Z') })
      .where(inArray(rooms.id, [first.id, second.id]));
    const recorder = new JoinRecorder({ db: database.db, users: userStore, log: createLogger('silent'), windowMs: 5 });

    const [ownerJoin, guestJoin, otherJoin, goneJoin] = await Promise.all([
      recorder.join({ roomId: first.id, user: { id: 'owner', name: 'Owner' }, clientId: 'socket-1', role: 'owner' }),
      recorder.join({ roomId: first.id, user: { id: 'guest', name: 'Guest', avatarUrl: null }, clientId: 'socket-2', role: 'viewer' }),
      recorder.join({
        roomId: second.id,
        user: { id: 'pic', name: 'Pic', avatarUrl: 'https://example.com/a.png' },
        clientId: 'x'.repeat(80),
        role: 'editor',
      }),
      recorder.join({ roomId: 'no-such-room', user: { id: 'guest', name: 'Guest' }, clientId: 'socket-4', role: 'editor' }),
    ]);
    expect(ownerJoin && guestJoin && otherJoin).toBeTruthy();
    expect(goneJoin).toBeUndefined();

    const rows = await database.db
      .select()
      .from(roomParticipants)
      .where(inArray(roomParticipants.roomId, [first.id, second.id]));
    expect(rows.map((row) => [row.roomId, row.userId, row.clientId, row.role, row.leftAt]).sort()).toEqual(
      [
        [first.id, 'owner', 'socket-1', 'owner', null],
        [first.id, 'guest', 'socket-2', 'viewer', null],
        [second.id, 'pic', 'x'.repeat(50), 'editor', null],
      ].sort(),
    );
    const people = await database.db
      .select({ id: users.id, name: users.name, avatarUrl: users.avatarUrl })
      .from(users)
      .where(inArray(users.id, ['guest', 'pic']));
    expect(people.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: 'guest', name: 'Guest', avatarUrl: null },
      { id: 'pic', name: 'Pic', avatarUrl: 'https://example.com/a.png' },
    ]);
    const touched = await database.db
      .select({ lastActive: rooms.lastActive })
      .from(rooms)
      .where(inArray(rooms.id, [first.id, second.id]));
    for (const room of touched) expect(new Date(room.lastActive).getUTCFullYear()).toBeGreaterThan(2020);

    await Promise.all([recorder.leave(guestJoin!, first.id), recorder.leave(otherJoin!, second.id)]);
    const left = await database.db
      .select({ id: roomParticipants.id, leftAt: roomParticipants.leftAt })
      .from(roomParticipants)
      .where(eq(roomParticipants.roomId, first.id));
    expect(left.find((row) => row.id === guestJoin)?.leftAt).not.toBeNull();
    expect(left.find((row) => row.id === ownerJoin)?.leftAt).toBeNull();
    await recorder.close();
  });
});

// PostgreSQL only: PGlite has one connection, so its statements never overlap.
describe('join recorder on postgres, with rooms being deleted', () => {
  const migrated = useMigratedDatabase('postgres');

  // Seen in a full run: a room deleted while its last sockets' leaves were written
  // deadlocked with them (the leave locked participant rows, then the room; the
  // delete the room, then its participants), and DELETE /api/rooms answered 500.
  it('lets rooms be deleted while their leaves are being written', async () => {
    const database = migrated();
    const userStore = new UserStore(database.db);
    await userStore.ensure({ id: 'owner', name: 'Owner' });
    const roomStore = new RoomStore(database.db);
    const recorder = new JoinRecorder({ db: database.db, users: userStore, log: createLogger('silent'), windowMs: 1 });
    for (let round = 0; round < 4; round++) {
      const created = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          roomStore.create({ name: `r${i}`, ownerId: 'owner', visibility: 'public', passwordHash: null }),
        ),
      );
      const joins = await Promise.all(
        created.flatMap((room) =>
          Array.from({ length: 6 }, (_, k) =>
            recorder
              .join({ roomId: room.id, user: { id: `u${k}`, name: `U${k}` }, clientId: `s-${room.id}-${k}`, role: 'editor' })
              .then((participantId) => ({ roomId: room.id, participantId: participantId! })),
          ),
        ),
      );
      const leaves = joins.map(({ roomId, participantId }) => recorder.leave(participantId, roomId));
      const deletes = created.map(async (room, i) => {
        await new Promise((resolve) => setTimeout(resolve, i % 3));
        return roomStore.delete(room.id);
      });
      expect(await Promise.all(deletes)).toEqual(created.map(() => true));
      await Promise.all(leaves);
    }
    await recorder.close();
  });
});
