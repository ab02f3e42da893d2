import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roomWithOwner } from '../helpers/api.ts';
import { createTestStorage, type StorageKind, type TestStorage } from '../helpers/db.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { openProvider, putRecord, recordIds, syncedProvider } from '../helpers/provider.ts';
import { TEST_SECRET } from '../helpers/server.ts';

// 12 in the suite (each round restarts a server process, ~10 s on a busy runner); more with SIGKILL_ROUNDS.
const KILLS = Number(process.env.SIGKILL_ROUNDS ?? 12);

// Issue 5: once the writer has seen an update acknowledged, no crash may lose it.
// Snapshots are debounced far beyond the test, so only the durable log can save them.
describe.each<StorageKind>(['postgres', 'pglite'])('SIGKILL at a random moment on %s', (kind) => {
  let storage: TestStorage;
  beforeAll(async () => {
    storage = await createTestStorage(kind);
  });
  afterAll(() => storage.drop());

  it(`keeps every acknowledged update across ${KILLS} kills`, { timeout: Math.max(240_000, KILLS * 25_000) }, async () => {
    const env = {
      JWT_SECRET: TEST_SECRET,
      DATA_DIR: storage.dataDir,
      SNAPSHOT_DEBOUNCE_MS: '60000',
      SNAPSHOT_MAX_DEBOUNCE_MS: '120000',
      WS_MAX_MESSAGES_PER_SECOND: '1000',
      WS_BURST_MESSAGES: '2000',
      ...(storage.databaseUrl ? { DATABASE_URL: storage.databaseUrl } : {}),
    };
    let server: ServerProcess = await startServerProcess(env);
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
    const acknowledged: string[] = [];

    for (let round = 0; round < KILLS; round++) {
      const writer = openProvider(server.wsUrl, room.id, owner.token);
      const written: string[] = [];
      let ackedThisRound = false;
      // Whenever nothing is unacknowledged, everything written so far is acknowledged.
      writer.provider.on('unsyncedChanges', ({ number }: { number: number }) => {
        if (number !== 0 || !writer.provider.isSynced || written.length === 0) return;
        acknowledged.push(...written.splice(0));
        ackedThisRound = true;
      });
      // The kill comes at a random moment after the round's first acknowledgement (bounded),
      // whatever the restart, the room's load and a busy runner took before it.
      const syncDeadline = Date.now() + 60_000;
      while (!writer.provider.isSynced && Date.now() < syncDeadline) await new Promise((resolve) => setTimeout(resolve, 5));
      const ackDeadline = Date.now() + 15_000;
      let killAt = Number.POSITIVE_INFINITY;
      let i = 0;
      while (Date.now() < killAt) {
        if (killAt === Number.POSITIVE_INFINITY && (ackedThisRound || Date.now() > ackDeadline)) killAt = Date.now() + Math.random() * 400;
        if (writer.provider.isSynced) {
          const id = `shape:r${round}-${i++}`;
          written.push(id);
          putRecord(writer.doc, room.id, id, { round });
        }
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      server.child.kill('SIGKILL');
      await server.exited;
      writer.destroy();
      server = await startServerProcess(env);
    }

    const reader = await syncedProvider(server.wsUrl, room.id, owner.token);
    const stored = new Set(recordIds(reader.doc, room.id));
    const lost = acknowledged.filter((id) => !stored.has(id));
    // Every round writes until its first acknowledgement (within 15 s, even on a busy
    // runner) and on: at least one acknowledged write per kill, or acknowledgements stall.
    console.log(`${kind}: ${acknowledged.length} acknowledged writes over ${KILLS} kills`);
    expect(acknowledged.length).toBeGreaterThanOrEqual(KILLS);
    expect(lost).toEqual([]);
    server.child.kill('SIGTERM');
    await server.exited;
  });
});
