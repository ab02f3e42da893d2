import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type AppendRow, createDatabase, type Database } from '../../src/db/client.ts';
import { roomWithOwner } from '../helpers/api.ts';
import { createTestStorage, type TestStorage } from '../helpers/db.ts';
import { acknowledged, openProvider, putRecord, recordIds, syncedProvider } from '../helpers/provider.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * The durable log's INSERTs, held until the test lets them through: the database is
 * real, only its timing is chosen, so the acknowledgements of a chosen set of updates
 * arrive while later ones are still unstored.
 */
class HeldAppends {
  private waiting: { rows: readonly AppendRow[]; release: () => void }[] = [];
  holding = false;

  wrap(database: Database): Database {
    const insert = database.appendUpdates;
    return {
      ...database,
      appendUpdates: async (rows) => {
        if (this.holding) await new Promise<void>((release) => this.waiting.push({ rows, release }));
        await insert(rows);
      },
    };
  }

  get heldRows(): number {
    return this.waiting.reduce((sum, { rows }) => sum + rows.length, 0);
  }

  get heldInserts(): number {
    return this.waiting.length;
  }

  /**
   * Lets the first `count` held INSERTs run (all by default); later ones are held while `holding`.
   * @returns how many rows (one per client message, each acknowledged once stored) were let through
   */
  releaseHeld(count = this.waiting.length): number {
    const released = this.waiting.splice(0, count);
    for (const { release } of released) release();
    return released.reduce((sum, { rows }) => sum + rows.length, 0);
  }
}

// The provider counts unacknowledged changes and shows "saved" at zero. When a socket
// opens it used to reset that count to 1 (the sync handshake), forgetting the updates
// written while offline, which are sent on the new socket and acknowledged one by
// one: those acknowledgements then brought the count to zero while changes written
// since were still on their way to the database (the fault test's seed 20 lost five
// such writes to a SIGKILL). Our patch of @hocuspocus/provider keeps them counted.
describe('the provider counts acknowledgements across a reconnect', () => {
  let storage: TestStorage;
  let server: TestServer;
  const appends = new HeldAppends();

  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    const database = createDatabase({ databaseUrl: storage.databaseUrl, dataDir: storage.dataDir });
    server = await startTestServer({
      storage,
      overrides: { database: appends.wrap(database) },
      env: { SNAPSHOT_DEBOUNCE_MS: '60000', SNAPSHOT_MAX_DEBOUNCE_MS: '60000' },
    });
  });
  afterAll(async () => {
    appends.holding = false;
    appends.releaseHeld();
    await server?.close();
    await storage?.drop();
  });

  it('does not report changes saved while some are not stored', { timeout: 60_000 }, async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    appends.holding = true;

    // Written before the socket opens: queued by the provider, sent once it is open.
    const writer = openProvider(server.wsUrl, room.id, owner.token);
    for (let i = 0; i < 3; i++) putRecord(writer.doc, room.id, `shape:offline${i}`, {});
    await vi.waitFor(() => expect(writer.provider.isSynced).toBe(true), { timeout: 10_000 });
    // The offline updates and the handshake's reply reached the database and wait there.
    await vi.waitFor(() => expect(appends.heldRows).toBeGreaterThanOrEqual(3), { timeout: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const sentBefore = appends.heldInserts;

    for (let i = 0; i < 2; i++) putRecord(writer.doc, room.id, `shape:online${i}`, {});
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Only what was sent before the two online writes is stored and acknowledged now:
    // once those acknowledgements are in, the count must still hold the online writes,
    // which wait at the database.
    const counted = writer.provider.unsyncedChanges;
    const released = appends.releaseHeld(sentBefore);
    await vi.waitFor(() => expect(writer.provider.unsyncedChanges).toBeLessThanOrEqual(Math.max(0, counted - released)), {
      timeout: 10_000,
    });
    await vi.waitFor(() => expect(appends.heldRows).toBeGreaterThanOrEqual(2), { timeout: 10_000 });
    expect(writer.provider.hasUnsyncedChanges).toBe(true);

    appends.holding = false;
    appends.releaseHeld();
    await acknowledged(writer);
    writer.destroy();
    await vi.waitFor(() => expect(server.hocuspocus.documents.has(room.id)).toBe(false), { timeout: 20_000 });

    const fresh = await startTestServer({ storage });
    try {
      const reader = await syncedProvider(fresh.wsUrl, room.id, owner.token);
      expect(recordIds(reader.doc, room.id).sort()).toEqual([
        'shape:offline0',
        'shape:offline1',
        'shape:offline2',
        'shape:online0',
        'shape:online1',
      ]);
    } finally {
      await fresh.close();
    }
  });
});
