import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { exportsTable } from '../../src/db/schema.ts';
import { SnapshotStore } from '../../src/documents/snapshot-store.ts';
import { parseTldrFile } from '../../src/render/index.ts';
import { fixtureFile } from '../render/helpers.ts';
import { createTestStorage, type TestStorage } from '../helpers/db.ts';
import { startTestServer } from '../helpers/server.ts';
import { download, fixtureRoom, requestExport, settled, unloaded } from './helpers.ts';

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);
const HOUR_AGO = () => new Date(Date.now() - 3600_000);

let storage: TestStorage;
beforeAll(async () => {
  storage = await createTestStorage('postgres');
});
afterAll(() => storage.drop());

/** Counted completions of a server, over all formats. */
async function completedCount(server: { url: string }): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return [...text.matchAll(/scrible_exports_total\{format="\w+",status="completed"\} (\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
}

describe('export jobs', () => {
  it('exports a room that is not loaded from the database', async () => {
    const server = await startTestServer({ storage });
    try {
      const { owner, room, writer } = await fixtureRoom(server);
      await unloaded(server, room.id, [writer]);
      const made = await requestExport(server.url, room.id, owner.token, { format: 'json' });
      const { view } = await settled(server.url, made.id, owner.token);
      expect(view.status, view.error ?? '').toBe('completed');
      const tldr = parseTldrFile(
        new TextDecoder().decode((await download(`${server.url}/api/exports/${made.id}/file`, owner.token)).bytes),
      );
      expect([...tldr.records].sort(byId)).toEqual([...fixtureFile().records].sort(byId));
      // Read without loading the room into Hocuspocus.
      expect(server.hocuspocus.documents.has(room.id)).toBe(false);
    } finally {
      await server.close();
    }
  });

  it('reads the update log on top of the snapshot (room loaded by another instance, no snapshot yet)', async () => {
    // A long debounce: the board is only in room_updates when the other server exports.
    const env = { SNAPSHOT_DEBOUNCE_MS: '60000', SNAPSHOT_MAX_DEBOUNCE_MS: '120000' };
    const editing = await startTestServer({ storage, env, overrides: { exports: { pollIntervalMs: 3600_000 } } });
    const exporting = await startTestServer({ storage, env });
    try {
      const { owner, room, writer } = await fixtureRoom(editing);
      expect(await new SnapshotStore(exporting.database.db).latest(room.id)).toBeUndefined();
      const made = await requestExport(exporting.url, room.id, owner.token, { format: 'json' });
      const { view } = await settled(exporting.url, made.id, owner.token);
      expect(view.status, view.error ?? '').toBe('completed');
      const tldr = parseTldrFile(
        new TextDecoder().decode((await download(`${exporting.url}/api/exports/${made.id}/file`, owner.token)).bytes),
      );
      expect(tldr.records.length).toBe(fixtureFile().records.length);
      writer.destroy();
    } finally {
      await Promise.all([editing.close(), exporting.close()]);
    }
  });

  it('takes over a job left processing by a crashed instance, and gives up after maxAttempts', async () => {
    // The first server never takes over anything (huge timeout): it only sets the scene.
    const first = await startTestServer({ storage, overrides: { exports: { staleAfterMs: 3600_000 * 24 } } });
    const { owner, room, writer } = await fixtureRoom(first);
    await unloaded(first, room.id, [writer]);
    const [crashed, hopeless] = await first.database.db
      .insert(exportsTable)
      .values([
        { roomId: room.id, format: 'svg', status: 'processing', startedAt: HOUR_AGO(), attempts: 1, requestedBy: owner.user.id },
        { roomId: room.id, format: 'png', status: 'processing', startedAt: HOUR_AGO(), attempts: 3, requestedBy: owner.user.id },
      ])
      .returning();
    await first.close();

    const second = await startTestServer({ storage, overrides: { exports: { staleAfterMs: 30_000, maxAttempts: 3 } } });
    try {
      const { view } = await settled(second.url, crashed!.id, owner.token);
      expect(view.status, view.error ?? '').toBe('completed');
      const [row] = await second.database.db.select().from(exportsTable).where(eq(exportsTable.id, crashed!.id));
      expect(row!.attempts).toBe(2);
      expect((await download(`${second.url}/api/exports/${crashed!.id}/file`, owner.token)).status).toBe(200);

      const gaveUp = await settled(second.url, hopeless!.id, owner.token);
      expect(gaveUp.view).toMatchObject({ status: 'failed', error: expect.stringMatching(/interrupted 3 times/) });
    } finally {
      await second.close();
    }
  });

  it('two servers on one database work each job exactly once', async () => {
    const tuning = { exports: { pollIntervalMs: 20 } };
    const a = await startTestServer({ storage, overrides: tuning });
    const b = await startTestServer({ storage, overrides: tuning });
    try {
      const { owner, room, writer } = await fixtureRoom(a);
      await unloaded(a, room.id, [writer]);
      const before = [await completedCount(a), await completedCount(b)];
      const JOBS = 24;
      const rows = await a.database.db
        .insert(exportsTable)
        .values(
          Array.from({ length: JOBS }, (_, i) => ({
            roomId: room.id,
            format: i % 2 ? 'json' : 'svg',
            status: 'pending',
            requestedBy: owner.user.id,
          })),
        )
        .returning({ id: exportsTable.id });
      const ids = rows.map((r) => r.id);
      await vi.waitFor(
        async () => {
          const done = await a.database.db.select().from(exportsTable).where(inArray(exportsTable.id, ids));
          expect(done.filter((r) => r.status === 'completed')).toHaveLength(JOBS);
        },
        { timeout: 30_000, interval: 50 },
      );
      const done = await a.database.db.select().from(exportsTable).where(inArray(exportsTable.id, ids));
      expect(done.map((r) => r.attempts)).toEqual(Array(JOBS).fill(1));
      const worked = [(await completedCount(a)) - before[0]!, (await completedCount(b)) - before[1]!];
      expect(worked[0]! + worked[1]!).toBe(JOBS);
      // Each server has one or a few render slots and polls every 20 ms: both get work.
      expect(Math.min(...worked)).toBeGreaterThan(0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('export jobs on PGlite', () => {
  it('completes an export and serves its file', async () => {
    const server = await startTestServer({ kind: 'pglite' });
    try {
      const { owner, room, writer } = await fixtureRoom(server);
      const made = await requestExport(server.url, room.id, owner.token, { format: 'svg' });
      const { view } = await settled(server.url, made.id, owner.token);
      expect(view.status, view.error ?? '').toBe('completed');
      const file = await download(`${server.url}/api/exports/${made.id}/file`, owner.token);
      expect(file.type).toBe('image/svg+xml');
      expect(new TextDecoder().decode(file.bytes)).toContain('Release plan');
      writer.destroy();
    } finally {
      await server.close();
      await server.storage.drop();
    }
  });
});
