import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { roomWithOwner } from '../helpers/api.ts';
import { acknowledged, putRecord, recordIds, syncedProvider } from '../helpers/provider.ts';
import { authenticate, Message, openRawSocket, syncFrame } from '../helpers/raw-socket.ts';
import { useTestServer } from '../helpers/server.ts';

const LIMIT = 200_000;
const FRAME = 65_536;
const server = useTestServer({ env: { WS_MAX_MESSAGE_BYTES: String(FRAME), MAX_DOCUMENT_BYTES: String(LIMIT) } });

const documentBytes = (roomId: string) => Y.encodeStateAsUpdate(server.hocuspocus.documents.get(roomId)!).byteLength;

/** An update with one ~`bytes` record, from a client of its own. */
function bigRecord(roomId: string, id: string, bytes: number): Uint8Array {
  const doc = new Y.Doc();
  putRecord(doc, roomId, id, { blob: 'x'.repeat(bytes) });
  return Y.encodeStateAsUpdate(doc);
}

/** An update whose first struct is missing: Yjs keeps it pending instead of applying it. */
function pendingRecord(roomId: string, id: string, bytes: number): Uint8Array {
  const doc = new Y.Doc();
  putRecord(doc, roomId, `${id}-first`, {});
  const before = Y.encodeStateVector(doc);
  putRecord(doc, roomId, id, { blob: 'x'.repeat(bytes) });
  return Y.encodeStateAsUpdate(doc, before);
}

describe('document size limit', () => {
  it('counts SyncReply (type 4) updates like Sync ones', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const socket = await openRawSocket(server.wsUrl);
    await authenticate(socket, room.id, owner.token);
    for (let i = 0; i < 6; i++) socket.send(syncFrame(room.id, bigRecord(room.id, `shape:r${i}`, 60_000), 2, Message.SyncReply));
    expect(await socket.closed).toEqual({ code: 4413, reason: 'document-too-large' });
    expect(documentBytes(room.id)).toBeLessThanOrEqual(LIMIT);
  });

  it('counts updates whose dependencies are missing (pending structs)', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const socket = await openRawSocket(server.wsUrl);
    await authenticate(socket, room.id, owner.token);
    for (let i = 0; i < 6; i++) socket.send(syncFrame(room.id, pendingRecord(room.id, `shape:p${i}`, 60_000), 1));
    expect(await socket.closed).toEqual({ code: 4413, reason: 'document-too-large' });
    expect(documentBytes(room.id)).toBeLessThanOrEqual(LIMIT);
  });

  it('a room at its limit still opens for everyone, accepts deletions, and refuses only growth', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const owners = await syncedProvider(server.wsUrl, room.id, owner.token);
    const filler = await syncedProvider(server.wsUrl, room.id, owner.token);
    let closeReason = '';
    filler.provider.configuration.websocketProvider.on('close', ({ event }: { event: { code: number; reason: string } }) => {
      closeReason ||= `${event.code} ${event.reason}`;
    });
    for (let i = 0; i < 4; i++) putRecord(filler.doc, room.id, `shape:big${i}`, { blob: 'x'.repeat(60_000) });
    await vi.waitFor(() => expect(closeReason).toBe('4413 document-too-large'), { timeout: 10_000 });
    filler.destroy();
    expect(documentBytes(room.id)).toBeLessThanOrEqual(LIMIT);

    // Readers still get in: their first sync step is never refused.
    const reader = await syncedProvider(server.wsUrl, room.id, owner.token);
    const stored = recordIds(reader.doc, room.id);
    expect(stored.length).toBeGreaterThan(0);
    await vi.waitFor(() => expect(recordIds(owners.doc, room.id)).toEqual(stored), { timeout: 10_000 });
    // Growth is refused...
    const grower = await openRawSocket(server.wsUrl);
    await authenticate(grower, room.id, owner.token);
    grower.send(syncFrame(room.id, bigRecord(room.id, 'shape:more', 60_000)));
    expect(await grower.closed).toEqual({ code: 4413, reason: 'document-too-large' });
    // ...deleting is not, and it makes room again (the provider retries until the
    // server has measured the smaller document).
    owners.doc.getArray(`tl_${room.id}`).delete(0, stored.length);
    await acknowledged(owners);
    expect(recordIds(server.hocuspocus.documents.get(room.id)!, room.id)).toEqual([]);
    putRecord(owners.doc, room.id, 'shape:small', {});
    await acknowledged(owners);
    expect(recordIds(server.hocuspocus.documents.get(room.id)!, room.id)).toEqual(['shape:small']);
  });
});
