import { describe, expect, it, vi } from 'vitest';
import { call, guest, roomWithOwner } from '../helpers/api.ts';
import { acknowledged, putRecord, recordIds, syncedProvider } from '../helpers/provider.ts';
import { useTestServer } from '../helpers/server.ts';

const server = useTestServer({ env: { SNAPSHOT_KEEP_VERSIONS: '3' } });

const versions = async (roomId: string, token: string) =>
  (await call(server.url, 'GET', `/api/rooms/${roomId}/snapshots`, { token })).body as Array<{
    version: number;
    createdAt: string;
    bytes: number;
    name: string | null;
    createdBy: { id: string; name: string | null } | null;
  }>;

describe('snapshots', () => {
  it('lists versions newest first to members, and keeps only the last N', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
    const writer = await syncedProvider(server.wsUrl, room.id, owner.token);
    for (let i = 1; i <= 5; i++) {
      putRecord(writer.doc, room.id, `shape:${i}`, {});
      await acknowledged(writer);
      await vi.waitFor(async () => expect((await versions(room.id, owner.token))[0]?.version).toBe(i), { timeout: 5000 });
    }
    const list = await versions(room.id, owner.token);
    expect(list.map((v) => v.version)).toEqual([5, 4, 3]);
    expect(list[0]).toEqual({
      version: 5,
      createdAt: expect.any(String),
      bytes: expect.any(Number),
      name: null,
      createdBy: { id: owner.user.id, name: 'Owner' },
    });
    expect(list[0]!.bytes).toBeGreaterThan(list[2]!.bytes);

    const stranger = await guest(server.url);
    expect((await call(server.url, 'GET', `/api/rooms/${room.id}/snapshots`, { token: stranger.token })).status).toBe(403);
    expect((await call(server.url, 'GET', `/api/rooms/${room.id}/snapshots`)).status).toBe(401);
    expect((await call(server.url, 'GET', '/api/rooms/nosuchroom/snapshots', { token: owner.token })).status).toBe(404);
  });

  it('restores a version for everyone connected, as a new version', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const a = await syncedProvider(server.wsUrl, room.id, owner.token);
    const b = await syncedProvider(server.wsUrl, room.id, (await guest(server.url)).token);
    putRecord(a.doc, room.id, 'shape:keep', { x: 1 });
    await acknowledged(a);
    await vi.waitFor(async () => expect((await versions(room.id, owner.token)).length).toBe(1));
    const [{ version: good }] = await versions(room.id, owner.token);
    putRecord(a.doc, room.id, 'shape:mistake', {});
    await acknowledged(a);
    await vi.waitFor(async () => expect((await versions(room.id, owner.token))[0]!.version).toBe(good + 1));

    const other = await guest(server.url);
    expect((await call(server.url, 'POST', `/api/rooms/${room.id}/snapshots/${good}/restore`, { token: other.token })).status).toBe(403);
    expect((await call(server.url, 'POST', `/api/rooms/${room.id}/snapshots/999/restore`, { token: owner.token })).status).toBe(404);
    expect((await call(server.url, 'POST', `/api/rooms/${room.id}/snapshots/abc/restore`, { token: owner.token })).status).toBe(400);

    const restored = await call(server.url, 'POST', `/api/rooms/${room.id}/snapshots/${good}/restore`, { token: owner.token });
    expect(restored.status).toBe(200);
    // The mistake was stored already (good + 1): that version is what the restore kept.
    expect(restored.body).toEqual({ restoredFrom: good, version: good + 2, kept: good + 1 });
    await vi.waitFor(() => expect(recordIds(b.doc, room.id)).toEqual(['shape:keep']));
    await vi.waitFor(() => expect(recordIds(a.doc, room.id)).toEqual(['shape:keep']));
    expect((await versions(room.id, owner.token))[0]!.version).toBe(good + 2);
  });

  it('keeps the board a restore replaces as a version, so the restore can be undone', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
    const a = await syncedProvider(server.wsUrl, room.id, owner.token);
    putRecord(a.doc, room.id, 'shape:keep', { x: 1 });
    await acknowledged(a);
    await vi.waitFor(async () => expect((await versions(room.id, owner.token)).length).toBe(1));
    const [{ version: good }] = await versions(room.id, owner.token);
    // Restored at once: no store after this change has to have happened.
    putRecord(a.doc, room.id, 'shape:second-thoughts', {});
    await acknowledged(a);

    const restored = await call(server.url, 'POST', `/api/rooms/${room.id}/snapshots/${good}/restore`, { token: owner.token });
    expect(restored.status).toBe(200);
    await vi.waitFor(() => expect(recordIds(a.doc, room.id)).toEqual(['shape:keep']));
    // The answer names the version holding the board as it was; it is listed, after the good one.
    const { kept } = restored.body as { kept: number };
    expect(kept).toBeGreaterThan(good);
    expect((await versions(room.id, owner.token)).map((stored) => stored.version)).toContain(kept);

    const undone = await call(server.url, 'POST', `/api/rooms/${room.id}/snapshots/${kept}/restore`, { token: owner.token });
    expect(undone.status).toBe(200);
    await vi.waitFor(() => expect(recordIds(a.doc, room.id).sort()).toEqual(['shape:keep', 'shape:second-thoughts']));
    a.destroy();
  });
});
