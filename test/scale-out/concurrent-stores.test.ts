import type { Extension, onStoreDocumentPayload } from '@hocuspocus/server';
import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { call, guest } from '../helpers/api.ts';
import { createTestStorage, REDIS_URL } from '../helpers/db.ts';
import { testPrefix } from '../helpers/cluster.ts';
import { putRecord, recordIds, syncedProvider } from '../helpers/provider.ts';
import { startTestServer } from '../helpers/server.ts';
import { SnapshotStore } from '../../src/documents/snapshot-store.ts';

interface StoreWindow {
  instance: string;
  start: number;
  end: number;
}

/**
 * Sits between the Redis lock (priority 1000) and persistence (50) and makes every
 * store slow, so two unserialised stores would overlap.
 */
class SlowStoreProbe implements Extension {
  priority = 100;
  private readonly instance: string;
  private readonly windows: StoreWindow[];
  constructor(instance: string, windows: StoreWindow[]) {
    this.instance = instance;
    this.windows = windows;
  }
  async onStoreDocument(_payload: onStoreDocumentPayload): Promise<void> {
    const start = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 300));
    this.windows.push({ instance: this.instance, start, end: performance.now() });
  }
}

describe('concurrent stores of one room from two instances', () => {
  it('are serialised by the lock, both happen, and versions never collide', { timeout: 60_000 }, async () => {
    const storage = await createTestStorage('postgres');
    const prefix = testPrefix();
    const windows: StoreWindow[] = [];
    // Stores only when flushed below.
    const env = { REDIS_URL, REDIS_PREFIX: prefix, SNAPSHOT_DEBOUNCE_MS: '60000', SNAPSHOT_MAX_DEBOUNCE_MS: '60000' };
    const a = await startTestServer({
      storage,
      env: { ...env, INSTANCE_ID: 'a' },
      overrides: { extensions: [new SlowStoreProbe('a', windows)] },
    });
    const b = await startTestServer({
      storage,
      env: { ...env, INSTANCE_ID: 'b' },
      overrides: { extensions: [new SlowStoreProbe('b', windows)] },
    });
    try {
      const owner = await guest(a.url, 'Owner');
      const roomId = (await call(a.url, 'POST', '/api/rooms', { token: owner.token, body: { name: 'Board', visibility: 'public' } })).body
        .id as string;
      const onA = await syncedProvider(a.wsUrl, roomId, owner.token);
      const onB = await syncedProvider(b.wsUrl, roomId, owner.token);
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 10; i++) {
          putRecord(onA.doc, roomId, `shape:a${round}-${i}`, {});
          putRecord(onB.doc, roomId, `shape:b${round}-${i}`, {});
        }
        await vi.waitFor(
          () => {
            expect(recordIds(onA.doc, roomId)).toHaveLength(20 * (round + 1));
            expect(recordIds(onB.doc, roomId)).toEqual(recordIds(onA.doc, roomId));
          },
          { timeout: 5_000 },
        );
        const before = windows.length;
        // Both instances have the room's changes pending (their own and the ones
        // relayed through Redis) and store at the same moment.
        a.hocuspocus.flushPendingStores();
        b.hocuspocus.flushPendingStores();
        await vi.waitFor(() => expect(windows.length).toBe(before + 2), { timeout: 10_000 });
      }

      const sorted = [...windows].sort((x, y) => x.start - y.start);
      for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.start).toBeGreaterThanOrEqual(sorted[i - 1]!.end);
      expect(new Set(windows.map((w) => w.instance))).toEqual(new Set(['a', 'b']));

      const snapshots = new SnapshotStore(a.database.db);
      // The probe runs before persistence: the last store may still be writing.
      await vi.waitFor(async () => {
        const versions = (await snapshots.list(roomId)).map((s) => s.version).sort((x, y) => x - y);
        expect(versions).toEqual([1, 2, 3, 4, 5, 6]);
      });
      const latest = await snapshots.latest(roomId);
      const stored = new Y.Doc();
      Y.applyUpdate(stored, latest!.data);
      expect(recordIds(stored, roomId)).toEqual(recordIds(onA.doc, roomId));
    } finally {
      await Promise.all([a.close(), b.close()]);
      await storage.drop();
    }
  });
});
