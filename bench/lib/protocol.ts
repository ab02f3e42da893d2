/**
 * The lean wire client every load worker uses, whatever the server: it speaks the
 * Hocuspocus protocol (document name before every message, token auth, sync status
 * acks), the y-websocket protocol (room in the URL, plain y-protocols sync) or the raw
 * relay (bytes in, bytes out), with the same per-message client cost for all three.
 *
 * Latency markers: each update carries `~L<room>.<phase>.<seq>.<sentMicros>~` inside a
 * Yjs string, so it survives the servers' update merging byte for byte; readers find
 * markers with `Buffer.indexOf` instead of decoding Yjs. `sentMicros` comes from
 * `process.hrtime`, the machine's monotonic clock, shared by every process.
 */
import { AuthMessageType } from '@hocuspocus/common';
import { MessageType } from '@hocuspocus/server';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { messageYjsSyncStep1, messageYjsSyncStep2, messageYjsUpdate } from 'y-protocols/sync';

export type Protocol = 'hocuspocus' | 'y-websocket' | 'raw';

/** An empty Yjs state vector, and the empty update that answers one. */
const EMPTY_STATE_VECTOR = new Uint8Array([0]);
const EMPTY_UPDATE = new Uint8Array([0, 0]);

/** Microseconds on the monotonic clock (same clock in every process of the machine). */
export const nowMicros = (): number => Number(process.hrtime.bigint() / 1000n);

function frame(protocol: Protocol, room: string, write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  if (protocol === 'hocuspocus') encoding.writeVarString(encoder, room);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

/** The frames a client sends right after the socket opens. */
export function openingFrames(protocol: Protocol, room: string, token: string): Uint8Array[] {
  const step1 = frame(protocol, room, (e) => {
    encoding.writeVarUint(e, MessageType.Sync);
    encoding.writeVarUint(e, messageYjsSyncStep1);
    encoding.writeVarUint8Array(e, EMPTY_STATE_VECTOR);
  });
  if (protocol === 'raw') return [];
  if (protocol === 'y-websocket') return [step1];
  const auth = frame(protocol, room, (e) => {
    encoding.writeVarUint(e, MessageType.Auth);
    encoding.writeVarUint(e, AuthMessageType.Token);
    encoding.writeVarString(e, token);
    encoding.writeVarString(e, '4.0.0');
  });
  return [auth, step1];
}

/**
 * What a quiet client sends now and then so the server's idle timeout (60 s) does
 * not close it, as a provider's awareness renewals do; undefined where the protocol
 * needs none.
 */
export function keepAliveFrame(protocol: Protocol, room: string): Uint8Array | undefined {
  if (protocol !== 'hocuspocus') return undefined;
  return frame(protocol, room, (e) => encoding.writeVarUint(e, MessageType.QueryAwareness));
}

/**
 * An awareness update as a provider sends it (y-protocols: one entry, the client's id,
 * its clock and its state as JSON): a tldraw cursor on a page.
 */
export function awarenessFrame(protocol: Protocol, room: string, clientId: number, clock: number, state: unknown): Uint8Array | undefined {
  if (protocol !== 'hocuspocus') return undefined;
  const update = encoding.encode((e) => {
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, clientId);
    encoding.writeVarUint(e, clock);
    encoding.writeVarString(e, JSON.stringify(state));
  });
  return frame(protocol, room, (e) => {
    encoding.writeVarUint(e, MessageType.Awareness);
    encoding.writeVarUint8Array(e, update);
  });
}

/** A document update as the provider would send it. */
export function updateFrame(protocol: Protocol, room: string, update: Uint8Array): Uint8Array {
  return frame(protocol, room, (e) => {
    encoding.writeVarUint(e, MessageType.Sync);
    encoding.writeVarUint(e, messageYjsUpdate);
    encoding.writeVarUint8Array(e, update);
  });
}

export type Incoming =
  | { kind: 'update'; payload: Uint8Array }
  | { kind: 'synced' }
  | { kind: 'step1' }
  | { kind: 'ack' }
  | { kind: 'denied'; reason: string }
  /** An awareness update carrying `entries` clients' states. */
  | { kind: 'awareness'; entries: number }
  | { kind: 'other' };

/** Classifies one received frame; raw relays only ever carry updates. */
export function parseFrame(protocol: Protocol, data: Uint8Array): Incoming {
  if (protocol === 'raw') return { kind: 'update', payload: data };
  const decoder = decoding.createDecoder(data);
  if (protocol === 'hocuspocus') decoding.readVarString(decoder);
  const type = decoding.readVarUint(decoder);
  if (type === MessageType.Sync) {
    const sub = decoding.readVarUint(decoder);
    if (sub === messageYjsUpdate) return { kind: 'update', payload: data };
    if (sub === messageYjsSyncStep2) return { kind: 'synced' };
    if (sub === messageYjsSyncStep1) return { kind: 'step1' };
  }
  if (protocol === 'hocuspocus' && type === MessageType.SyncStatus) return { kind: 'ack' };
  if (protocol === 'hocuspocus' && type === MessageType.Awareness) {
    const update = decoding.createDecoder(decoding.readVarUint8Array(decoder));
    return { kind: 'awareness', entries: decoding.readVarUint(update) };
  }
  if (protocol === 'hocuspocus' && type === MessageType.Auth && decoding.readVarUint(decoder) === AuthMessageType.PermissionDenied) {
    return { kind: 'denied', reason: decoding.readVarString(decoder) };
  }
  return { kind: 'other' };
}

/** What a provider answers to the server's SyncStep1: our (empty) state. */
export function emptyStep2(protocol: Protocol, room: string): Uint8Array {
  return frame(protocol, room, (e) => {
    encoding.writeVarUint(e, MessageType.Sync);
    encoding.writeVarUint(e, messageYjsSyncStep2);
    encoding.writeVarUint8Array(e, EMPTY_UPDATE);
  });
}

export const MARKER_PREFIX = '~L';

/** `~L<room>.<phase>.<seq>.<sentMicros>~` */
export function marker(roomIndex: number, phase: number, seq: number, sentMicros: number): string {
  return `${MARKER_PREFIX}${roomIndex}.${phase}.${seq}.${sentMicros}~`;
}

const TILDE = 0x7e;
const L = 0x4c;
const DOT = 0x2e;

/**
 * Calls `found` for every marker in a received frame. Allocation-free: digits are
 * parsed in place.
 */
export function scanMarkers(data: Uint8Array, found: (roomIndex: number, phase: number, seq: number, sentMicros: number) => void): void {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let at = buf.indexOf(TILDE);
  while (at !== -1 && at + 1 < buf.length) {
    if (buf[at + 1] !== L) {
      at = buf.indexOf(TILDE, at + 1);
      continue;
    }
    let i = at + 2;
    const fields = [0, 0, 0, 0];
    let field = 0;
    let ok = false;
    for (; i < buf.length; i++) {
      const c = buf[i]!;
      if (c >= 0x30 && c <= 0x39) fields[field] = fields[field]! * 10 + (c - 0x30);
      else if (c === DOT && field < 3) field++;
      else {
        ok = c === TILDE && field === 3;
        break;
      }
    }
    if (ok) found(fields[0]!, fields[1]!, fields[2]!, fields[3]!);
    at = buf.indexOf(TILDE, ok ? i + 1 : at + 1);
  }
}
