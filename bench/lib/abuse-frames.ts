/**
 * The frames of the issue-11 attacks, each within what the server lets one message be
 * (WS_MAX_MESSAGE_BYTES, 2 MiB), so only the fixes themselves can refuse them.
 */
import { MessageType } from '@hocuspocus/server';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { updateFrame } from './protocol.ts';

// Fixed Yjs client ids, so the touch update can name the chain's items.
const CHAIN_CLIENT = 1_000_001;
const TOUCH_CLIENT = 1_000_002;

// Yjs v1 struct info: ContentAny (8) with a map key (parentSub bit).
const CONTENT_ANY_WITH_KEY = 8 | 0b0010_0000;

/**
 * Two updates for a root map `root` that is no part of a board: a chain of `depth`
 * nested Y.Maps, then one item set in every level of it. The second is written by hand
 * in the Yjs v1 update layout; making it through a Y.Doc would cost the runner the very
 * work that stalls the server.
 */
export function nestedMapChain(depth: number, root = 'x'): [Uint8Array, Uint8Array] {
  const doc = new Y.Doc();
  doc.clientID = CHAIN_CLIENT;
  doc.transact(() => {
    let parent = doc.getMap(root);
    for (let level = 0; level < depth; level++) {
      const child = new Y.Map<unknown>();
      parent.set('child', child);
      parent = child;
    }
  });
  const chain = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  const touch = encoding.encode((e) => {
    encoding.writeVarUint(e, 1); // clients
    encoding.writeVarUint(e, depth); // structs of that client
    encoding.writeVarUint(e, TOUCH_CLIENT);
    encoding.writeVarUint(e, 0); // clock of the first struct
    for (let level = 0; level < depth; level++) {
      encoding.writeUint8(e, CONTENT_ANY_WITH_KEY);
      // No origins, so the parent is spelled out: 0 = an item id (the map created at
      // this level: the chain's client made one map per clock tick), not a root name.
      encoding.writeVarUint(e, 0);
      encoding.writeVarUint(e, CHAIN_CLIENT);
      encoding.writeVarUint(e, level);
      encoding.writeVarString(e, 'touch');
      encoding.writeVarUint(e, 1); // one value
      encoding.writeAny(e, level);
    }
    encoding.writeVarUint(e, 0); // empty delete set
  });
  return [chain, touch];
}

/** The chain attack as the frames a client sends: two document updates. */
export function nestedMapFrames(room: string, depth: number): Uint8Array[] {
  return nestedMapChain(depth).map((update) => updateFrame('hocuspocus', room, update));
}

export interface AwarenessEntry {
  clientId: number;
  clock: number;
  /** The JSON text of the state. */
  json: string;
}

/** One awareness message (y-protocols awareness update: count, then id, clock, JSON per client). */
export function awarenessFrame(room: string, entries: AwarenessEntry[]): Uint8Array {
  const update = encoding.encode((e) => {
    encoding.writeVarUint(e, entries.length);
    for (const entry of entries) {
      encoding.writeVarUint(e, entry.clientId);
      encoding.writeVarUint(e, entry.clock);
      encoding.writeVarString(e, entry.json);
    }
  });
  return encoding.encode((e) => {
    encoding.writeVarString(e, room);
    encoding.writeVarUint(e, MessageType.Awareness);
    encoding.writeVarUint8Array(e, update);
  });
}

/** One awareness message carrying `clients` client ids, each with an empty state. */
export function awarenessFloodFrames(room: string, clients: number): Uint8Array[] {
  const entries = Array.from({ length: clients }, (_, i) => ({ clientId: i + 1, clock: 1, json: '{}' }));
  return [awarenessFrame(room, entries)];
}

/** `count` awareness messages, each one client id with a state of `stateBytes` of JSON. */
export function bigAwarenessFrames(room: string, count: number, stateBytes: number): Uint8Array[] {
  const filler = 'x'.repeat(stateBytes - '{"blob":""}'.length);
  return Array.from({ length: count }, (_, i) => awarenessFrame(room, [{ clientId: i + 1, clock: 1, json: `{"blob":"${filler}"}` }]));
}
