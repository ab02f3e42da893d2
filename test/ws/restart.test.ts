import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roomWithOwner } from '../helpers/api.ts';
import { createTestStorage, type StorageKind, type TestStorage } from '../helpers/db.ts';
import { startServerProcess } from '../helpers/process.ts';
import { acknowledged, putRecord, recordIds, syncedProvider } from '../helpers/provider.ts';
import { startTestServer, TEST_SECRET } from '../helpers/server.ts';

describe.each<StorageKind>(['postgres', 'pglite'])('restart on %s', (kind) => {
  let storage: TestStorage;
  beforeAll(async () => {
    storage = await createTestStorage(kind);
  });
  afterAll(() => storage.drop());

  it('a new server on the same database has the board', async () => {
    const first = await startTestServer({ storage });
    const { owner, room } = await roomWithOwner(first.url, { visibility: 'private' });
    const writer = await syncedProvider(first.wsUrl, room.id, owner.token);
    putRecord(writer.doc, room.id, 'shape:1', { x: 1 });
    putRecord(writer.doc, room.id, 'shape:2', { x: 2 });
    await acknowledged(writer);
    await first.close();
    writer.destroy();

    const second = await startTestServer({ storage });
    try {
      const reader = await syncedProvider(second.wsUrl, room.id, owner.token);
      expect(recordIds(reader.doc, room.id)).toEqual(['shape:1', 'shape:2']);
    } finally {
      await second.close();
    }
  });

  it('keeps changes acknowledged just before SIGTERM', async () => {
    // A long debounce: only the shutdown flush can have stored the last changes.
    const env = {
      JWT_SECRET: TEST_SECRET,
      DATA_DIR: storage.dataDir,
      SNAPSHOT_DEBOUNCE_MS: '30000',
      SNAPSHOT_MAX_DEBOUNCE_MS: '60000',
      ...(storage.databaseUrl ? { DATABASE_URL: storage.databaseUrl } : {}),
    };
    const first = await startServerProcess(env);
    const { owner, room } = await roomWithOwner(first.url, { visibility: 'private' });
    const writer = await syncedProvider(first.wsUrl, room.id, owner.token);
    for (let i = 0; i < 50; i++) putRecord(writer.doc, room.id, `shape:${String(i).padStart(2, '0')}`, { i });
    await acknowledged(writer);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    writer.destroy();

    const second = await startServerProcess(env);
    const reader = await syncedProvider(second.wsUrl, room.id, owner.token);
    expect(recordIds(reader.doc, room.id)).toHaveLength(50);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
