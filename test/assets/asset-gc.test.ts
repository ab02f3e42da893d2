import { existsSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { queryRows } from '../../src/db/rows.ts';
import { roomUpdates } from '../../src/db/schema.ts';
import { writeBoardToYDoc } from '../../src/render/read-board.ts';
import { call, roomWithOwner } from '../helpers/api.ts';
import { useTestServer } from '../helpers/server.ts';
import { page } from '../helpers/tldraw-records.ts';
import { fetchAsset, imageAsset, solidPng, upload } from './helpers.ts';

const GRACE_MS = 1_000;
const server = useTestServer({
  // Sweeps are run by the test; two kept versions make "only an old version references it" quick to reach.
  env: { ASSET_GC_GRACE_SECONDS: '1', ASSET_GC_INTERVAL_SECONDS: '3600', SNAPSHOT_KEEP_VERSIONS: '2' },
});

const assetIds = async (roomId: string) =>
  (await queryRows<{ id: string }>(server.database.db, sql`SELECT id FROM assets WHERE room_id = ${roomId} ORDER BY id`)).map(
    (row) => row.id,
  );
const versions = async (roomId: string, token: string) =>
  ((await call(server.url, 'GET', `/api/rooms/${roomId}/snapshots`, { token })).body as Array<{ version: number }>).map((v) => v.version);

/** Changes the board and waits until a new snapshot version holds the change. */
async function change(roomId: string, token: string, body: { put?: unknown[]; remove?: string[] }) {
  const before = Math.max(0, ...(await versions(roomId, token)));
  const answer = await call(server.url, 'PATCH', `/api/rooms/${roomId}/document`, { token, body });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  await vi.waitFor(async () => expect(Math.max(0, ...(await versions(roomId, token)))).toBeGreaterThan(before), { timeout: 10_000 });
}

const pastGrace = () => new Promise((resolve) => setTimeout(resolve, GRACE_MS + 200));

describe('asset garbage collection', () => {
  it('deletes an asset once no kept version has referenced it for ASSET_GC_GRACE_SECONDS, rows and files', async () => {
    const { owner, room } = await roomWithOwner(server.url);
    const used = await upload(server.url, room.id, owner.token, await solidPng(10, 10, '#00f'));
    const unused = await upload(server.url, room.id, owner.token, await solidPng(10, 10, '#0f0'));
    const reuploaded = await upload(server.url, room.id, owner.token, await solidPng(10, 10, '#f0f'));
    const url = (id: string) => `${server.url}/api/rooms/${room.id}/assets/${id}`;
    await change(room.id, owner.token, { put: [page, imageAsset('asset:used', used.body.url)] });

    // The first look only starts the grace period.
    await server.assets.collector.sweep();
    expect(await assetIds(room.id)).toHaveLength(3);
    await pastGrace();
    // Uploading the same bytes again wants the asset anew.
    expect((await upload(server.url, room.id, owner.token, await solidPng(10, 10, '#f0f'))).body.id).toBe(reuploaded.body.id);
    await server.assets.collector.sweep();
    expect(await assetIds(room.id)).toEqual([used.body.id, reuploaded.body.id].sort());
    expect(existsSync(path.join(server.storage.dataDir, 'assets', room.id, unused.body.id))).toBe(false);
    expect((await fetchAsset(url(unused.body.id), { token: owner.token })).status).toBe(404);
    expect((await fetchAsset(url(used.body.id), { token: owner.token })).status).toBe(200);

    // Removed from the board, but an older kept version still shows it: kept.
    await change(room.id, owner.token, { remove: ['asset:used'] });
    await server.assets.collector.sweep();
    await pastGrace();
    await server.assets.collector.sweep();
    expect(await assetIds(room.id)).toContain(used.body.id);

    // Two more versions push the last one referencing it out (SNAPSHOT_KEEP_VERSIONS=2).
    await change(room.id, owner.token, { put: [{ ...page, name: 'Renamed' }] });
    await change(room.id, owner.token, { put: [{ ...page, name: 'Renamed again' }] });
    await server.assets.collector.sweep();
    expect(await assetIds(room.id)).toContain(used.body.id);
    await pastGrace();
    await server.assets.collector.sweep();
    expect(await assetIds(room.id)).toEqual([]);
    expect((await fetchAsset(url(used.body.id), { token: owner.token })).status).toBe(404);
  });

  it("counts references only in the update log (no snapshot yet); another room's asset URLs do not count", async () => {
    const { owner, room } = await roomWithOwner(server.url);
    const other = await roomWithOwner(server.url);
    const png = await solidPng(12, 12, '#abc');
    const mine = await upload(server.url, room.id, owner.token, png);
    const theirs = await upload(server.url, other.room.id, other.owner.token, png);
    expect(theirs.body.id).toBe(mine.body.id);
    // The other room's board points at its own copy, this room's board at nothing of its own.
    await change(other.room.id, other.owner.token, { put: [page, imageAsset('asset:theirs', theirs.body.url)] });
    await change(room.id, owner.token, { put: [page, imageAsset('asset:foreign', theirs.body.url)] });
    // A third room whose only reference is an acknowledged update still in the log.
    const logged = await roomWithOwner(server.url);
    const inLog = await upload(server.url, logged.room.id, logged.owner.token, png);
    const doc = new Y.Doc();
    writeBoardToYDoc(doc, logged.room.id, { schema: undefined, records: [page, imageAsset('asset:logged', inLog.body.url)] });
    await server.database.db.insert(roomUpdates).values({ roomId: logged.room.id, update: Y.encodeStateAsUpdate(doc) });

    await server.assets.collector.sweep();
    await pastGrace();
    await server.assets.collector.sweep();
    expect(await assetIds(room.id)).toEqual([]);
    expect(await assetIds(other.room.id)).toEqual([theirs.body.id]);
    expect(await assetIds(logged.room.id)).toEqual([inLog.body.id]);
    expect(await versions(logged.room.id, logged.owner.token)).toEqual([]);
  });
});
