import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createDatabase, type Database } from '../../src/db/client.ts';
import { compactRoom } from '../../src/documents/room-compaction.ts';
import { applyStoredRoom } from '../../src/documents/stored-room.ts';
import { UpdateLog } from '../../src/documents/update-log.ts';
import { createLogger } from '../../src/log.ts';
import { RoomStore } from '../../src/rooms/room-store.ts';
import { UserStore } from '../../src/users/user-store.ts';
import { createTestStorage, type StorageKind, type TestStorage } from '../helpers/db.ts';
import { putRecord, recordIds } from '../helpers/provider.ts';
import { expectVersionsDominate } from '../helpers/versions.ts';

const log = createLogger('silent');

// A load reads snapshot and log in one REPEATABLE READ transaction; a compaction
// writes the new version and deletes the rows it contains in one transaction. A
// load racing compactions must never see the rows gone without the version.
describe.each<StorageKind>(['postgres', 'pglite'])('loads racing compactions on %s', (kind) => {
  let storage: TestStorage;
  let writerDb: Database;
  let readerDb: Database;

  beforeAll(async () => {
    storage = await createTestStorage(kind);
    writerDb = createDatabase(storage);
    await writerDb.migrate();
    // PostgreSQL: a second pool, as another instance or the export runner has.
    readerDb = kind === 'postgres' ? createDatabase(storage) : writerDb;
    await new UserStore(writerDb.db).create({ id: 'u1', name: 'U' });
  }, 120_000);
  afterAll(async () => {
    if (readerDb !== writerDb) await readerDb?.close();
    await writerDb?.close();
    await storage?.drop();
  });

  it('every load contains every update appended before it began', { timeout: 120_000 }, async () => {
    const room = await new RoomStore(writerDb.db).create({ name: 'r', ownerId: 'u1', visibility: 'private', passwordHash: null });
    const updates = new UpdateLog({ db: writerDb.db, log });
    const live = new Y.Doc();
    const fresh: Uint8Array[] = [];
    live.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === null) fresh.push(update);
    });
    let appended = 0;
    let done = false;

    const writer = (async () => {
      for (let i = 0; i < 150; i++) {
        putRecord(live, room.id, `shape:${i}`, {});
        await updates.append(room.id, fresh.shift()!);
        appended = i + 1;
      }
    })();
    const compactor = (async () => {
      let contained: number | undefined;
      while (!done) {
        const stored = await compactRoom({
          db: writerDb.db,
          roomId: room.id,
          doc: live,
          containedVersion: contained,
          keepVersions: 1000,
          origin: 'storage',
        });
        contained = stored?.version;
      }
    })();
    let loads = 0;
    const loader = (async () => {
      while (!done) {
        const atLeast = appended;
        const doc = new Y.Doc();
        await applyStoredRoom(doc, room.id, { db: readerDb.db, log });
        expect(recordIds(doc, room.id).length).toBeGreaterThanOrEqual(atLeast);
        doc.destroy();
        loads++;
      }
    })();
    await writer;
    done = true;
    await Promise.all([compactor, loader]);

    expect(loads).toBeGreaterThan(10);
    expect(await expectVersionsDominate(writerDb.db, room.id)).toBeGreaterThan(1);
    const final = new Y.Doc();
    await applyStoredRoom(final, room.id, { db: readerDb.db, log });
    expect(recordIds(final, room.id)).toHaveLength(150);
  });
});
