import { randomBytes } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { eq, sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database, type Db } from '../../src/db/client.ts';
import { PgliteThread } from '../../src/db/pglite-thread.ts';
import { hasSqlState, queryRows, UNIQUE_VIOLATION } from '../../src/db/rows.ts';
import * as schema from '../../src/db/schema.ts';
import { roomSnapshots, roomUpdates, rooms, users } from '../../src/db/schema.ts';
import { createTestStorage, type TestStorage } from '../helpers/db.ts';

/** Reads that cover the column types the stores use: bytea, timestamptz, bigint, jsonb, uuid. */
async function readAll(db: Db) {
  return {
    rooms: await db.select().from(rooms).orderBy(rooms.id),
    snapshots: await db.select().from(roomSnapshots).orderBy(roomSnapshots.version),
    updates: await db.select().from(roomUpdates).orderBy(roomUpdates.seq),
    raw: await queryRows(
      db,
      sql`SELECT ${new Uint8Array([0, 1, 254, 255])}::bytea AS bytes,
                 '2024-02-29T23:59:58.123Z'::timestamptz AS at,
                 9007199254740993::bigint AS big,
                 '{"a":[1,"b",null]}'::jsonb AS doc,
                 count(*) AS n
            FROM room_updates`,
    ),
  };
}

describe('embedded database on its own thread', () => {
  let storage: TestStorage;
  let database: Database;
  let db: Db;

  beforeAll(async () => {
    storage = await createTestStorage('pglite');
    database = createDatabase(storage);
    await database.migrate();
    db = database.db;
    await db.insert(users).values({ id: 'u1', name: 'U' });
    await db.insert(rooms).values({ id: 'r1', name: 'R', ownerId: 'u1', visibility: 'public', settings: { theme: 'dark', n: 2 } });
  });
  afterAll(async () => {
    await database.close();
    await storage.drop();
  });

  it('holds back other callers while a transaction is open, and goes on after a rollback', async () => {
    let outside: Promise<number> | undefined;
    await expect(
      db.transaction(async (tx) => {
        await tx.insert(roomUpdates).values({ roomId: 'r1', update: new Uint8Array([1]) });
        // On the one connection this would see the uncommitted row if it ran now.
        outside = db.$count(roomUpdates).then((n) => n);
        await tx.insert(roomUpdates).values({ roomId: 'r1', update: new Uint8Array([2]) });
        expect(await tx.$count(roomUpdates)).toBe(2);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await outside).toBe(0);

    // The queue goes on: concurrent writers and a committed transaction.
    const inserts = Array.from({ length: 5 }, (_, i) =>
      db
        .insert(roomUpdates)
        .values({ roomId: 'r1', update: new Uint8Array([i]) })
        .then(() => i),
    );
    const committed = db.transaction(async (tx) => {
      await tx.insert(roomUpdates).values({ roomId: 'r1', update: new Uint8Array([9]) });
    });
    await Promise.all([...inserts, committed]);
    expect(await db.$count(roomUpdates)).toBe(6);
  });

  it('keeps the SQLSTATE and constraint of a failed statement, inside a transaction too', async () => {
    const error = await db
      .insert(users)
      .values({ id: 'u1', name: 'again' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(hasSqlState(error, UNIQUE_VIOLATION)).toBe(true);
    expect((error as { cause?: { constraint?: string } }).cause?.constraint).toBe('users_pkey');

    const inTransaction = await db
      .transaction(async (tx) => {
        await tx.insert(users).values({ id: 'u2', name: 'U2' });
        await tx.insert(users).values({ id: 'u2', name: 'again' });
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(hasSqlState(inTransaction, UNIQUE_VIOLATION)).toBe(true);
    expect(await db.select().from(users).where(eq(users.id, 'u2'))).toEqual([]);
  });

  it('returns rows exactly as an in-process PGlite does', async () => {
    await db.insert(roomSnapshots).values({
      roomId: 'r1',
      snapshotData: Buffer.from([0, 128, 255]),
      stateVector: new Uint8Array([7, 7]),
      version: 1,
      createdBy: 'u1',
    });
    const large = randomBytes(100_000);
    await db.insert(roomSnapshots).values({ roomId: 'r1', snapshotData: large, stateVector: new Uint8Array(0), version: 2 });
    const threaded = await readAll(db);
    expect(threaded.snapshots[0]!.snapshotData).toEqual(new Uint8Array([0, 128, 255]));
    expect(Buffer.from(threaded.snapshots[1]!.snapshotData).equals(large)).toBe(true);
    expect(threaded.snapshots[1]!.stateVector).toEqual(new Uint8Array(0));
    expect(threaded.snapshots[0]!.createdAt).toBeInstanceOf(Date);
    expect(threaded.rooms[0]!.settings).toEqual({ theme: 'dark', n: 2 });
    expect(typeof threaded.updates[0]!.seq).toBe('number');

    // The same directory opened the old way, on this thread, must answer the same.
    await database.close();
    const inProcess = new PGlite(`${storage.dataDir}/db`);
    try {
      const reference = await readAll(drizzlePglite(inProcess, { schema }) as unknown as Db);
      expect(threaded).toStrictEqual(reference);
    } finally {
      await inProcess.close();
    }
    database = createDatabase(storage);
    db = database.db;
    expect(await db.$count(roomSnapshots)).toBe(2);
  });

  it('answers queries already sent before it closes, then refuses new ones', async () => {
    const other = createDatabase({ databaseUrl: undefined, dataDir: `${storage.dataDir}/other` });
    await other.migrate();
    const sent = other.db
      .insert(users)
      .values({ id: 'late', name: 'L' })
      .then(() => 'sent');
    const closing = other.close();
    expect(await sent).toBe('sent');
    await closing;
    await other.close();
    await expect(other.ping()).rejects.toThrow('closed');

    const reopened = createDatabase({ databaseUrl: undefined, dataDir: `${storage.dataDir}/other` });
    try {
      expect(await reopened.db.select({ id: users.id }).from(users)).toEqual([{ id: 'late' }]);
    } finally {
      await reopened.close();
    }
  });

  it('fails every waiting query with the reason when the thread dies', async () => {
    const failures: Error[] = [];
    let worker: Worker | undefined;
    // Node announces every new thread; this one is the database's.
    process.once('worker', (created) => {
      worker = created;
    });
    const thread = new PgliteThread({ dir: `${storage.dataDir}/crash`, onFailure: (e) => failures.push(e) });
    await thread.query('SELECT 1');
    const sleeping = thread.query('SELECT pg_sleep(30)');
    const behind = thread.query('SELECT 2');
    // The thread ends abruptly, as on a crash, with statements out.
    await worker!.terminate();
    await expect(sleeping).rejects.toThrow('Embedded database worker exited unexpectedly');
    await expect(behind).rejects.toThrow('Embedded database worker exited unexpectedly');
    await expect(thread.query('SELECT 3')).rejects.toThrow('Embedded database worker exited unexpectedly');
    await expect(thread.transaction(async (tx) => tx.query('SELECT 4'))).rejects.toThrow('exited unexpectedly');
    expect(failures).toHaveLength(1);
    await thread.close();
  });
});
