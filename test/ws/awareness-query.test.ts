import { Document, IncomingMessage, MessageReceiver, MessageType, OutgoingMessage } from '@hocuspocus/server';
import * as encoding from 'lib0/encoding';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { applyAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import { roomWithOwner } from '../helpers/api.ts';
import {
  authenticate,
  awarenessFrame,
  decodeAwarenessFrame,
  encodeAwarenessStates,
  openRawSocket,
  type ReceivedAwareness,
  recordAwareness,
} from '../helpers/raw-socket.ts';
import { useTestServer } from '../helpers/server.ts';

const server = useTestServer();

function queryFrame(roomId: string): Uint8Array {
  return encoding.encode((e) => {
    encoding.writeVarString(e, roomId);
    encoding.writeVarUint(e, MessageType.QueryAwareness);
  });
}

/** A peer instance's QueryAwareness (as Redis relays it): the answer the document replies with. */
async function peerQuery(document: Document): Promise<ReceivedAwareness | undefined> {
  const message = new IncomingMessage(queryFrame(document.name));
  message.writeVarString(message.readVarString());
  const replies: Uint8Array[] = [];
  await new MessageReceiver(message, { source: 'redis' }).apply(document, undefined, (reply) => {
    replies.push(reply);
  });
  expect(replies).toHaveLength(1);
  return decodeAwarenessFrame(replies[0]!);
}

describe('QueryAwareness', () => {
  // Peers' queries share one encoding of every state until the awareness changes:
  // it must never answer with a stale one.
  it("answers a peer's query with every client at its newest state, after each change and removal", async () => {
    const document = new Document('query-room');
    onTestFinished(() => document.destroy());
    const set = (clientId: number, clock: number, n: number) =>
      applyAwarenessUpdate(document.awareness, encodeAwarenessStates([{ clientId, clock, state: { n } }]), 'peer');

    set(2001, 1, 1);
    set(2002, 1, 1);
    expect(await peerQuery(document)).toEqual(
      new Map([
        [2001, 1],
        [2002, 1],
      ]),
    );
    expect(await peerQuery(document)).toEqual(
      new Map([
        [2001, 1],
        [2002, 1],
      ]),
    );

    set(2001, 2, 2);
    expect((await peerQuery(document))?.get(2001)).toBe(2);
    set(2003, 1, 7);
    expect(await peerQuery(document)).toEqual(
      new Map([
        [2001, 2],
        [2002, 1],
        [2003, 7],
      ]),
    );

    removeAwarenessStates(document.awareness, [2002], 'peer');
    expect(await peerQuery(document)).toEqual(
      new Map([
        [2001, 2],
        [2003, 7],
      ]),
    );
  });

  // A client's query has no reply channel in Hocuspocus v4 (providers get every state
  // when they connect). Answering nothing, it must not cost an encode of the room's
  // states either (a room's clients asking at once stalled it), nor break the socket.
  it("leaves a client's query unanswered, unencoded, and the connection working", async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const [watcher, mover] = await Promise.all([0, 1].map(() => openRawSocket(server.wsUrl)));
    for (const socket of [watcher!, mover!]) await authenticate(socket, room.id, owner.token);
    mover!.send(awarenessFrame(room.id, [{ clientId: 3001, clock: 1, state: { n: 1 } }]));
    const frames = recordAwareness(watcher!);
    await vi.waitFor(() => expect(frames.some((frame) => frame.get(3001) === 1)).toBe(true), { timeout: 5_000 });

    // Every encoding of awareness states goes through one of these two.
    const encodes = [
      vi.spyOn(OutgoingMessage.prototype, 'createAwarenessUpdateMessage'),
      vi.spyOn(OutgoingMessage.prototype as unknown as { writeEncodedAwarenessUpdate: () => unknown }, 'writeEncodedAwarenessUpdate'),
    ];
    onTestFinished(() => {
      for (const spy of encodes) spy.mockRestore();
    });
    const before = frames.length;
    for (let i = 0; i < 20; i++) watcher!.send(queryFrame(room.id));
    // After the queries on the same socket: once its broadcast is back, they were handled.
    watcher!.send(awarenessFrame(room.id, [{ clientId: 3002, clock: 1, state: { n: 5 } }]));
    await vi.waitFor(() => expect(frames.slice(before).some((frame) => frame.get(3002) === 5)).toBe(true), { timeout: 5_000 });
    // Only the broadcast of that move: no answer per query, and no encoding for one.
    expect(frames.slice(before).every((frame) => frame.get(3002) === 5)).toBe(true);
    expect(frames.length - before).toBeLessThan(3);
    expect(encodes.reduce((calls, spy) => calls + spy.mock.calls.length, 0)).toBeLessThan(3);
  });
});
