/**
 * A client that is let in and then sends what no provider would: it authenticates and
 * syncs like the lean bench client, then sends hand-made frames and tells when the
 * server has dealt with them (acknowledged a trailing empty update, or closed the socket).
 */
import { MessageType } from '@hocuspocus/server';
import * as decoding from 'lib0/decoding';
import { WebSocket } from 'ws';
import { hrMs } from './healthz-probe.ts';
import { emptyStep2, openingFrames, parseFrame, updateFrame } from './protocol.ts';

/** A Yjs update that adds nothing: the server acknowledges it after what came before. */
const EMPTY_UPDATE = new Uint8Array([0, 0]);

export interface ReceivedFrame {
  atMs: number;
  bytes: number;
  /** Hocuspocus message type (0 sync, 1 awareness, 2 auth, 8 sync status, …). */
  type: number;
}

export type Outcome = { kind: 'acknowledged' } | { kind: 'closed'; code: number; reason: string } | { kind: 'timeout' };

export interface AbuseClient {
  /** Every frame the server sent, in order. */
  received: ReceivedFrame[];
  /** Undefined while the socket is open. */
  closed(): { code: number; reason: string } | undefined;
  /**
   * Sends the frames, then an empty update; resolves once the server acknowledged that
   * update (Hocuspocus handles a connection's messages in order, so everything before
   * it is done), closed the socket, or `timeoutMs` passed.
   */
  attack(frames: Uint8Array[], timeoutMs: number): Promise<Outcome>;
  close(): void;
}

/** The Hocuspocus message type of a frame (after the document name), either direction. */
export function messageType(frame: Uint8Array): number {
  const decoder = decoding.createDecoder(frame);
  decoding.readVarString(decoder);
  return decoding.readVarUint(decoder);
}

/**
 * Opens a socket, authenticates with `token`, and resolves once it is synced and
 * every update it sent while syncing is acknowledged (at most 30 s).
 */
export async function connectAuthenticated(wsUrl: string, room: string, token: string): Promise<AbuseClient> {
  const ws = new WebSocket(`${wsUrl}/${room}`, { perMessageDeflate: false, maxPayload: 512 * 2 ** 20 });
  const received: ReceivedFrame[] = [];
  let closed: { code: number; reason: string } | undefined;
  let acks = 0;
  let expectedAcks = 0;
  let synced = false;
  let changed = () => {};
  ws.on('error', () => {});
  ws.on('close', (code, reason) => {
    closed = { code, reason: reason.toString() };
    changed();
  });
  ws.on('open', () => {
    for (const frame of openingFrames('hocuspocus', room, token)) ws.send(frame);
  });
  ws.on('message', (data: Buffer) => {
    const frame = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    received.push({ atMs: hrMs(), bytes: frame.byteLength, type: messageType(frame) });
    const message = parseFrame('hocuspocus', frame);
    if (message.kind === 'synced') synced = true;
    else if (message.kind === 'step1') ws.send(emptyStep2('hocuspocus', room)), expectedAcks++;
    else if (message.kind === 'ack') acks++;
    changed();
  });

  /** Resolves when `done()` holds, on close, or at the deadline. */
  const until = (done: () => boolean, timeoutMs: number) =>
    new Promise<'done' | 'closed' | 'timeout'>((resolve) => {
      const timer = setTimeout(() => finish('timeout'), timeoutMs);
      const finish = (result: 'done' | 'closed' | 'timeout') => {
        clearTimeout(timer);
        changed = () => {};
        resolve(result);
      };
      changed = () => {
        if (closed) finish('closed');
        else if (done()) finish('done');
      };
      changed();
    });

  const ready = await until(() => synced && acks >= expectedAcks, 30_000);
  if (ready !== 'done') {
    ws.terminate();
    throw new Error(`${room}: not synced (${ready}${closed ? ` ${closed.code} ${closed.reason}` : ''})`);
  }
  return {
    received,
    closed: () => closed,
    attack: async (frames, timeoutMs) => {
      const sent = [...frames, updateFrame('hocuspocus', room, EMPTY_UPDATE)];
      // Every sync frame is acknowledged in turn; the last acknowledgement is the empty update's.
      expectedAcks += sent.filter((frame) => messageType(frame) === MessageType.Sync).length;
      for (const frame of sent) if (ws.readyState === WebSocket.OPEN) ws.send(frame);
      const result = await until(() => acks >= expectedAcks, timeoutMs);
      if (result === 'done') return { kind: 'acknowledged' };
      if (result === 'closed' && closed) return { kind: 'closed', ...closed };
      return { kind: 'timeout' };
    },
    close: () => ws.terminate(),
  };
}
