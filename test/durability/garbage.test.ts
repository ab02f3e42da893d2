import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as encoding from 'lib0/encoding';
import { describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { guest, roomWithOwner } from '../helpers/api.ts';
import { putRecord, recordIds, syncedProvider } from '../helpers/provider.ts';
import { useTestServer } from '../helpers/server.ts';

const server = useTestServer({ env: { WS_MAX_MESSAGES_PER_SECOND: '100000', WS_BURST_MESSAGES: '100000' } });

// A real collection before each heap reading, so the comparison measures what is retained.
setFlagsFromString('--expose_gc');
const collectGarbage = runInNewContext('gc') as () => void;
const retainedHeap = () => {
  collectGarbage();
  return process.memoryUsage().heapUsed;
};

const frame = (write: (e: encoding.Encoder) => void) => encoding.encode(write);

/** Frames no provider would send: random bytes, truncated and huge varints, wrong types. */
function garbageFrames(roomId: string, token: string): Array<Uint8Array | string> {
  return [
    randomBytes(1 + Math.floor(Math.random() * 64)),
    new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), // varint overflow
    new Uint8Array([0x85]), // truncated varint
    frame((e) => encoding.writeVarUint(e, 2 ** 31)), // a "string length" far past the frame
    frame((e) => {
      encoding.writeVarString(e, roomId);
      encoding.writeVarUint(e, 99); // unknown message type
    }),
    frame((e) => {
      encoding.writeVarString(e, roomId);
      encoding.writeVarUint(e, 0); // sync
      encoding.writeVarUint(e, 2); // update
      encoding.writeVarUint8Array(e, randomBytes(40)); // not a Yjs update
    }),
    frame((e) => {
      encoding.writeVarString(e, roomId);
      encoding.writeVarUint(e, 6); // BroadcastStateless: server-internal only
      encoding.writeVarString(e, 'hi');
    }),
    frame((e) => {
      encoding.writeVarString(e, roomId);
      encoding.writeVarUint(e, 2); // auth
      encoding.writeVarUint(e, 0);
      encoding.writeVarString(e, token);
    }),
    frame((e) => {
      encoding.writeVarString(e, 'a-document-never-opened');
      encoding.writeVarUint(e, 1); // awareness
      encoding.writeVarUint8Array(e, randomBytes(10));
    }),
    'a text frame',
  ];
}

describe('garbage on the WebSocket', () => {
  it('10,000 bad frames before and after authentication crash nothing and disturb no one', { timeout: 120_000 }, async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const a = await syncedProvider(server.wsUrl, room.id, owner.token);
    const b = await syncedProvider(server.wsUrl, room.id, (await guest(server.url)).token);
    const before = retainedHeap();

    const kinds = garbageFrames(room.id, owner.token).length;
    let sent = 0;
    for (let socketNo = 0; sent < 10_000; socketNo++) {
      const ws = new WebSocket(server.wsUrl);
      await new Promise<void>((resolve) => {
        ws.once('error', () => resolve());
        ws.once('close', () => resolve());
        ws.once('open', async () => {
          // Every other socket authenticates first, so garbage also arrives after auth.
          if (socketNo % 2 === 1) {
            ws.send(garbageFrames(room.id, owner.token)[7]!);
            await new Promise((r) => setTimeout(r, 5));
          }
          const garbage = garbageFrames(room.id, owner.token)[socketNo % kinds]!;
          for (let i = 0; i < 50; i++, sent++) if (ws.readyState === ws.OPEN) ws.send(garbage);
          ws.close();
        });
      });
    }
    putRecord(a.doc, room.id, 'shape:after-garbage', {});
    await vi.waitFor(() => expect(recordIds(b.doc, room.id)).toEqual(['shape:after-garbage']));
    putRecord(b.doc, room.id, 'shape:reply', {});
    await vi.waitFor(() => expect(recordIds(a.doc, room.id)).toEqual(['shape:after-garbage', 'shape:reply']));
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    // Connections and their buffers were released: memory did not grow with the garbage.
    await vi.waitFor(() => expect(server.hocuspocus.getConnectionsCount()).toBe(2));
    expect(retainedHeap() - before).toBeLessThan(16 * 1024 * 1024);
  });
});
