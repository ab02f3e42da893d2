import * as encoding from 'lib0/encoding';
import { describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { roomWithOwner } from '../helpers/api.ts';
import { acknowledged, syncedProvider } from '../helpers/provider.ts';
import { useTestServer } from '../helpers/server.ts';

const server = useTestServer({ env: { WS_MAX_BUFFERED_BYTES: '65536', WS_MAX_MESSAGES_PER_SECOND: '1000' } });

async function rejected(reason: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(new RegExp(`^scrible_messages_rejected_total\\{reason="${reason}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
}

/** Hocuspocus protocol frames a reader needs: authenticate, then ask for the document. */
function authFrame(roomId: string, token: string): Uint8Array {
  return encoding.encode((e) => {
    encoding.writeVarString(e, roomId);
    encoding.writeVarUint(e, 2); // Auth
    encoding.writeVarUint(e, 0); // Token
    encoding.writeVarString(e, token);
  });
}
function syncStep1Frame(roomId: string): Uint8Array {
  return encoding.encode((e) => {
    encoding.writeVarString(e, roomId);
    encoding.writeVarUint(e, 0); // Sync
    encoding.writeVarUint(e, 0); // SyncStep1
    encoding.writeVarUint8Array(e, new Uint8Array([0])); // empty state vector
  });
}

describe('backpressure on readers', () => {
  it('closes a reader that does not read with 4504 slow-reader; writers carry on', { timeout: 120_000 }, async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const writer = await syncedProvider(server.wsUrl, room.id, owner.token);
    const reader = new WebSocket(server.wsUrl);
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      reader.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    await new Promise((resolve) => reader.once('open', resolve));
    reader.send(authFrame(room.id, owner.token));
    reader.send(syncStep1Frame(room.id));
    await vi.waitFor(() => expect(server.hocuspocus.documents.get(room.id)?.getConnectionsCount()).toBe(2));
    // Stops reading: everything sent to it now queues on the server.
    (reader as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const before = await rejected('slow-reader');

    const strokes = writer.doc.getMap('meta');
    for (let i = 0; i < 40 && (await rejected('slow-reader')) === before; i++) {
      strokes.set(`s${i}`, 'x'.repeat(500_000));
      await acknowledged(writer);
    }
    expect(await rejected('slow-reader')).toBe(before + 1);
    (reader as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await closed).toEqual({ code: 4504, reason: 'slow-reader' });
    strokes.set('after', 'still served');
    await acknowledged(writer);
  });
});
