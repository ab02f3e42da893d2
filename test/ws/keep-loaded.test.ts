import { describe, expect, it, vi } from 'vitest';
import { call, roomWithOwner } from '../helpers/api.ts';
import { acknowledged, putRecord, recordIds, syncedProvider } from '../helpers/provider.ts';
import { useTestServer } from '../helpers/server.ts';

const server = useTestServer({ env: { ROOM_KEEP_LOADED_MS: '600', SNAPSHOT_DEBOUNCE_MS: '60000', SNAPSHOT_MAX_DEBOUNCE_MS: '60000' } });

describe('ROOM_KEEP_LOADED_MS', () => {
  it('stores at once when the last client leaves, keeps the room loaded for a while, then unloads it', async () => {
    const { owner, room } = await roomWithOwner(server.url);
    const first = await syncedProvider(server.wsUrl, room.id, owner.token);
    putRecord(first.doc, room.id, 'shape:1', {});
    await acknowledged(first);
    const loaded = server.hocuspocus.documents.get(room.id);
    first.destroy();

    // Stored on leave despite the long debounce…
    await vi.waitFor(async () => {
      const versions = await call(server.url, 'GET', `/api/rooms/${room.id}/snapshots`, { token: owner.token });
      expect(versions.body).toHaveLength(1);
    });
    // …and still in memory: a returning client gets the same document, not a reload.
    expect(server.hocuspocus.documents.get(room.id)).toBe(loaded);
    const back = await syncedProvider(server.wsUrl, room.id, owner.token);
    expect(server.hocuspocus.documents.get(room.id)).toBe(loaded);
    expect(recordIds(back.doc, room.id)).toEqual(['shape:1']);
    back.destroy();

    await vi.waitFor(() => expect(server.hocuspocus.documents.has(room.id)).toBe(false), { timeout: 5_000 });
  });
});
