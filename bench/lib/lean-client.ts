/**
 * One lean protocol client in the runner's own process, for setup (uploading a large
 * document) and for single-client timings (cold load) where no load is generated.
 */
import { WebSocket } from 'ws';
import { emptyStep2, openingFrames, parseFrame, updateFrame, type Protocol } from './protocol.ts';

export interface LeanClient {
  /** Resolves with the ms from socket creation to the server's full document (SyncStep2). */
  synced: Promise<number>;
  /** Size of the SyncStep2 frame that synced it (0 before): a check that the whole document came. */
  readonly syncBytes: number;
  /** Sends updates; resolves once the server acknowledged them all (Hocuspocus) or after `settleMs`. */
  push(updates: Uint8Array[], settleMs?: number): Promise<void>;
  close(): Promise<void>;
}

export function connectLean(wsUrl: string, protocol: Protocol, room: string, token: string): LeanClient {
  const started = performance.now();
  const ws = new WebSocket(`${wsUrl}/${room}`, { perMessageDeflate: false, maxPayload: 256 * 2 ** 20 });
  let acks = 0;
  let syncBytes = 0;
  let ackWaiter: (() => void) | undefined;
  let wantAcks = 0;
  const synced = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${room}: no sync within 60 s`)), 60_000);
    ws.on('open', () => {
      for (const f of openingFrames(protocol, room, token)) ws.send(f);
    });
    ws.on('message', (data: Buffer) => {
      const message = parseFrame(protocol, data);
      if (message.kind === 'synced') {
        syncBytes ||= data.byteLength;
        clearTimeout(timer);
        resolve(performance.now() - started);
      } else if (message.kind === 'step1') ws.send(emptyStep2(protocol, room));
      else if (message.kind === 'denied') reject(new Error(`${room}: denied ${message.reason}`));
      else if (message.kind === 'ack' && ++acks >= wantAcks) ackWaiter?.();
    });
    ws.on('error', (error) => reject(error));
    ws.on('close', (code) => reject(new Error(`${room}: closed ${code}`)));
  });
  synced.catch(() => {});
  return {
    synced,
    get syncBytes() {
      return syncBytes;
    },
    push: async (updates, settleMs = 1000) => {
      await synced;
      wantAcks = acks + updates.length;
      const done = new Promise<void>((resolve) => (ackWaiter = resolve));
      for (const update of updates) ws.send(updateFrame(protocol, room, update));
      if (protocol === 'hocuspocus') await done;
      else await new Promise((r) => setTimeout(r, settleMs));
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
}
