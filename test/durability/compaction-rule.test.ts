import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queryRows } from '../../src/db/rows.ts';
import { roomWithOwner } from '../helpers/api.ts';
import { expectVersionsDominate } from '../helpers/versions.ts';
import { createTestStorage, type TestStorage } from '../helpers/db.ts';
import { acknowledged, putRecord, recordIds, syncedProvider } from '../helpers/provider.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

// Issue 10: two instances with no Redis between them (an outage) each compact the
// same room. Every version must contain its predecessor and the rows it deletes.
describe('compaction on several instances', () => {
  let storage: TestStorage;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    a = await startTestServer({ storage, env: { INSTANCE_ID: 'a', WS_MAX_MESSAGES_PER_SECOND: '1000' } });
    b = await startTestServer({ storage, env: { INSTANCE_ID: 'b', WS_MAX_MESSAGES_PER_SECOND: '1000' } });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await storage?.drop();
  });

  it('never drops what another instance acknowledged, and brings the other instance up to it', { timeout: 120_000 }, async () => {
    const { owner, room } = await roomWithOwner(a.url, { visibility: 'public' });
    const onB = await syncedProvider(b.wsUrl, room.id, owner.token);
    putRecord(onB.doc, room.id, 'shape:b-first', {});
    await acknowledged(onB);

    // A's writer: 30 acknowledged updates B never hears of, then A stores and unloads.
    const onA = await syncedProvider(a.wsUrl, room.id, owner.token);
    const fromA = Array.from({ length: 30 }, (_, i) => `shape:a${i}`);
    for (const id of fromA) {
      putRecord(onA.doc, room.id, id, {});
      await acknowledged(onA);
    }
    onA.destroy();
    await vi.waitFor(() => expect(a.hocuspocus.documents.has(room.id)).toBe(false), { timeout: 20_000 });
    const afterA = (
      await queryRows<{ n: string }>(a.database.db, sql`select count(*) as n from room_updates where room_id = ${room.id}`)
    )[0];
    expect(Number(afterA?.n)).toBe(0);

    // B keeps writing and storing newer versions from its own memory.
    for (let i = 0; i < 10; i++) {
      putRecord(onB.doc, room.id, `shape:b${i}`, {});
      await acknowledged(onB);
    }
    b.hocuspocus.flushPendingStores();
    // B's store merged A's version into the live room: its client sees A's writes.
    await vi.waitFor(() => expect(recordIds(onB.doc, room.id)).toEqual(expect.arrayContaining(fromA)), { timeout: 20_000 });
    onB.destroy();
    await vi.waitFor(() => expect(b.hocuspocus.documents.has(room.id)).toBe(false), { timeout: 20_000 });

    expect(await expectVersionsDominate(a.database.db, room.id)).toBeGreaterThanOrEqual(2);
    const reader = await syncedProvider(a.wsUrl, room.id, owner.token);
    const expected = ['shape:b-first', ...fromA, ...Array.from({ length: 10 }, (_, i) => `shape:b${i}`)].sort();
    expect(recordIds(reader.doc, room.id)).toEqual(expected);
  });
});
