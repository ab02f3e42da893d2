import * as decoding from 'lib0/decoding';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { roomWithOwner } from '../helpers/api.ts';
import { putRecord, recordIds, syncedProvider } from '../helpers/provider.ts';
import { authenticate, openRawSocket, syncFrame } from '../helpers/raw-socket.ts';
import { useTestServer } from '../helpers/server.ts';

const server = useTestServer();

/** Sync-status frames (type 8) the server sent on the socket: each one acknowledges one update. */
function countAcknowledgements(socket: Awaited<ReturnType<typeof openRawSocket>>): () => number {
  let acknowledgements = 0;
  socket.ws.on('message', (data: Buffer) => {
    const decoder = decoding.createDecoder(new Uint8Array(data));
    decoding.readVarString(decoder);
    if (decoding.readVarUint(decoder) === 8 && decoding.readVarUint(decoder) === 1) acknowledgements++;
  });
  return () => acknowledgements;
}

// Issue 10, found by the randomized fault test (seed 1366 of 1000..1499): after an
// instance crash, a client's new edit reached the restarted instance before the resend
// of the edits the crash had lost. The new edit continues those (same Yjs client), so
// Yjs keeps it pending; it was logged and acknowledged, the client counted everything
// as saved and closed, and the stored room could never load that edit.
describe('an update whose dependencies have not arrived', () => {
  it('is acknowledged only once they have, and then everything is stored', { timeout: 60_000 }, async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const author = new Y.Doc();
    const updates: Uint8Array[] = [];
    author.on('update', (update: Uint8Array) => updates.push(update));
    putRecord(author, room.id, 'shape:first', {});
    putRecord(author, room.id, 'shape:second', {});
    const [first, second] = updates;

    const socket = await openRawSocket(server.wsUrl);
    expect(await authenticate(socket, room.id, owner.token)).toBe('read-write');
    const acknowledgements = countAcknowledgements(socket);

    socket.send(syncFrame(room.id, second!));
    await sleep(1_000);
    expect(acknowledgements()).toBe(0);

    socket.send(syncFrame(room.id, first!));
    await vi.waitFor(() => expect(acknowledgements()).toBe(2), { timeout: 10_000 });

    // Stored, not only in memory: a reader after the room unloads gets both.
    socket.ws.close();
    await vi.waitFor(() => expect(server.hocuspocus.getDocumentsCount()).toBe(0), { timeout: 15_000 });
    const reader = await syncedProvider(server.wsUrl, room.id, owner.token);
    expect(recordIds(reader.doc, room.id)).toEqual(['shape:first', 'shape:second']);
  });
});
