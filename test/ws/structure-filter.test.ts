import { Writable } from 'node:stream';
import { pino } from 'pino';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, expect, it, vi } from 'vitest';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { writeBoardToYDoc } from '../../src/render/index.ts';
import { roomWithOwner } from '../helpers/api.ts';
import { acknowledged, recordIds, syncedProvider } from '../helpers/provider.ts';
import { authenticate, openRawSocket, syncFrame, Message } from '../helpers/raw-socket.ts';
import { useTestServer } from '../helpers/server.ts';
import { fixtureFile } from '../render/helpers.ts';

const lines: Array<Record<string, unknown>> = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});
const server = useTestServer({ overrides: { log: pino({ level: 'warn' }, sink) } });
const securityEvents = (type: string) => lines.filter((line) => line.event === 'security' && line.type === type);

/**
 * A chain of `depth` nested Y.Maps under `meta`, and one update touching every level
 * (written by hand: producing it through a Y.Doc is itself the quadratic work).
 */
function nestedMapChain(depth: number): [Uint8Array, Uint8Array] {
  const doc = new Y.Doc();
  doc.transact(() => {
    let parent = doc.getMap('meta');
    for (let i = 0; i < depth; i++) {
      const child = new Y.Map<unknown>();
      parent.set('child', child);
      parent = child;
    }
  });
  const client = doc.clientID + 1;
  const touch = encoding.encode((e) => {
    encoding.writeVarUint(e, 1); // one client
    encoding.writeVarUint(e, depth); // structs
    encoding.writeVarUint(e, client);
    encoding.writeVarUint(e, 0); // first clock
    for (let level = 0; level < depth; level++) {
      encoding.writeUint8(e, 8 | 0b0010_0000); // ContentAny, with a map key
      encoding.writeVarUint(e, 0); // the parent is an item id, not a root name
      encoding.writeVarUint(e, doc.clientID);
      encoding.writeVarUint(e, level); // the map created at this level
      encoding.writeVarString(e, 'touch');
      encoding.writeVarUint(e, 1);
      encoding.writeAny(e, level);
    }
    encoding.writeVarUint(e, 0); // empty delete set
  });
  return [Y.encodeStateAsUpdate(doc), touch];
}

describe('board structure filter', () => {
  it('refuses nested shared types before applying them (4400), and the event loop stays responsive', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const [chain, touch] = nestedMapChain(4000);
    const calm = await syncedProvider(server.wsUrl, room.id, owner.token);
    // The server runs in this process, so this is its event loop. Applied, the update
    // blocks it for 0.7 s on an idle machine (35 s on the loaded shared runner); a
    // loaded runner also delays timers when the OS does not run the process at all,
    // so the attack is repeated and the quietest try is the server's own cost.
    const stalls: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const socket = await openRawSocket(server.wsUrl);
      await authenticate(socket, room.id, owner.token);
      const delay = monitorEventLoopDelay({ resolution: 1 });
      delay.enable();
      socket.send(syncFrame(room.id, chain));
      socket.send(syncFrame(room.id, touch, 2, Message.SyncReply));
      expect(await socket.closed).toEqual({ code: 4400, reason: 'structure-refused' });
      delay.disable();
      stalls.push(delay.max / 1e6);
    }
    console.info(`nested-map chain of 4000 levels: longest event-loop delay per try ${stalls.map((ms) => ms.toFixed(1)).join(', ')} ms`);
    expect(Math.min(...stalls)).toBeLessThan(50);

    // The room still works, and never got the chain.
    calm.doc.getArray(`tl_${room.id}`).push([{ key: 'shape:after', val: { id: 'shape:after' } }]);
    await acknowledged(calm);
    expect(server.hocuspocus.documents.get(room.id)!.share.has('meta')).toBe(false);
    await vi.waitFor(() =>
      expect(securityEvents('structure-refused')).toContainEqual(
        expect.objectContaining({ roomId: room.id, userId: owner.user.id, ip: expect.stringMatching(/127\.0\.0\.1/) }),
      ),
    );
  });

  it('refuses other root names, text and XML types', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const makers: Array<(doc: Y.Doc) => void> = [
      (doc) => doc.getArray('elsewhere').push([1]),
      (doc) => doc.getText(`tl_${room.id}`).insert(0, 'text'),
      (doc) => doc.getMap('meta').set('xml', new Y.XmlFragment()),
      (doc) => doc.getArray(`tl_${room.id}`).push([new Y.Array()]),
      (doc) => doc.getMap('meta').set('bytes', new Uint8Array([1, 2, 3])),
    ];
    for (const make of makers) {
      const doc = new Y.Doc();
      make(doc);
      const socket = await openRawSocket(server.wsUrl);
      await authenticate(socket, room.id, owner.token);
      socket.send(syncFrame(room.id, Y.encodeStateAsUpdate(doc)));
      expect(await socket.closed).toEqual({ code: 4400, reason: 'structure-refused' });
    }
  });

  it('accepts a real tldraw board (the fixture, every default shape) and its schema in meta', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const writer = await syncedProvider(server.wsUrl, room.id, owner.token);
    writeBoardToYDoc(writer.doc, room.id, fixtureFile());
    await acknowledged(writer);
    const reader = await syncedProvider(server.wsUrl, room.id, owner.token);
    expect(recordIds(reader.doc, room.id)).toEqual(recordIds(writer.doc, room.id));
    expect(reader.doc.getMap('meta').get('schema')).toEqual(writer.doc.getMap('meta').get('schema'));
    expect(securityEvents('structure-refused').filter((event) => event.roomId === room.id)).toEqual([]);
  });

  it('closes a socket that sends undecodable Yjs in a valid frame: one JSON security event, no stack trace', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const errors = vi.spyOn(console, 'error');
    const socket = await openRawSocket(server.wsUrl);
    await authenticate(socket, room.id, owner.token);
    const garbage = new Uint8Array([5, 200, 200, 200, 200, 200, 1, 7, 7, 7]);
    socket.send(syncFrame(room.id, garbage));
    socket.send(syncFrame(room.id, garbage));
    expect(await socket.closed).toEqual({ code: 4400, reason: 'bad-update' });
    await vi.waitFor(() => expect(securityEvents('bad-update')).toHaveLength(1), { timeout: 10_000 });
    expect(securityEvents('bad-update')[0]).toMatchObject({ ip: expect.stringMatching(/127\.0\.0\.1/), userId: owner.user.id });
    expect(errors).not.toHaveBeenCalled();
  });
});
