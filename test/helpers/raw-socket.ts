import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { onTestFinished } from 'vitest';
import WebSocket from 'ws';

/** Hocuspocus message types a hand-written client sends. */
export const Message = { Sync: 0, Awareness: 1, Auth: 2, QueryAwareness: 3, SyncReply: 4 } as const;

/** A raw socket with what it received, for sending what no provider would. */
export interface RawSocket {
  ws: WebSocket;
  /** Resolves with the close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  send(frame: Uint8Array): void;
}

/** Opens a raw WebSocket to the server (closed when the test ends). */
export function openRawSocket(wsUrl: string, headers: Record<string, string> = {}): Promise<RawSocket> {
  const ws = new WebSocket(wsUrl, { headers });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  try {
    onTestFinished(() => ws.terminate());
  } catch {
    // outside a test: the caller closes it
  }
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, closed, send: (frame) => ws.send(frame) }));
    ws.once('error', reject);
  });
}

/** Authenticates `roomId` on the socket and waits for the server's answer. */
export async function authenticate(socket: RawSocket, roomId: string, token: string): Promise<'read-write' | 'readonly'> {
  const answer = new Promise<'read-write' | 'readonly'>((resolve, reject) => {
    const onMessage = (data: Buffer) => {
      const decoder = decoding.createDecoder(new Uint8Array(data));
      decoding.readVarString(decoder);
      if (decoding.readVarUint(decoder) !== Message.Auth) return;
      socket.ws.off('message', onMessage);
      const kind = decoding.readVarUint(decoder);
      const detail = decoding.readVarString(decoder);
      if (kind === 2) resolve(detail as 'read-write' | 'readonly');
      else reject(new Error(`authentication refused: ${detail}`));
    };
    socket.ws.on('message', onMessage);
  });
  socket.send(
    encoding.encode((e) => {
      encoding.writeVarString(e, roomId);
      encoding.writeVarUint(e, Message.Auth);
      encoding.writeVarUint(e, 0); // token
      encoding.writeVarString(e, token);
    }),
  );
  return answer;
}

/** A sync frame: `step` 0 SyncStep1, 1 SyncStep2, 2 Update; `type` Sync or SyncReply. */
export function syncFrame(roomId: string, payload: Uint8Array, step = 2, type: number = Message.Sync): Uint8Array {
  return encoding.encode((e) => {
    encoding.writeVarString(e, roomId);
    encoding.writeVarUint(e, type);
    encoding.writeVarUint(e, step);
    encoding.writeVarUint8Array(e, payload);
  });
}

/** Awareness states as one y-protocols awareness update (encoded by hand). */
export function encodeAwarenessStates(states: Array<{ clientId: number; clock: number; state: unknown }>): Uint8Array {
  return encoding.encode((e) => {
    encoding.writeVarUint(e, states.length);
    for (const { clientId, clock, state } of states) {
      encoding.writeVarUint(e, clientId);
      encoding.writeVarUint(e, clock);
      encoding.writeVarString(e, JSON.stringify(state));
    }
  });
}

/** An awareness frame carrying the given states. */
export function awarenessFrame(roomId: string, states: Array<{ clientId: number; clock: number; state: unknown }>): Uint8Array {
  return encoding.encode((e) => {
    encoding.writeVarString(e, roomId);
    encoding.writeVarUint(e, Message.Awareness);
    encoding.writeVarUint8Array(e, encodeAwarenessStates(states));
  });
}

/** The scrible_messages_rejected_total count for a reason. */
export async function rejectedCount(baseUrl: string, reason: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const match = new RegExp(`scrible_messages_rejected_total\\{reason="${reason}"\\} (\\d+)`).exec(text);
  return match ? Number(match[1]) : 0;
}

/** One awareness frame a raw socket received: client id → the state's `n` (null: removed). */
export type ReceivedAwareness = Map<number, number | null>;

/** An awareness frame's states (undefined for any other message). */
export function decodeAwarenessFrame(data: Uint8Array): ReceivedAwareness | undefined {
  const decoder = decoding.createDecoder(data);
  decoding.readVarString(decoder);
  if (decoding.readVarUint(decoder) !== Message.Awareness) return undefined;
  const update = decoding.createDecoder(decoding.readVarUint8Array(decoder));
  const entries: ReceivedAwareness = new Map();
  for (let count = decoding.readVarUint(update); count > 0; count--) {
    const clientId = decoding.readVarUint(update);
    decoding.readVarUint(update); // clock
    const state = JSON.parse(decoding.readVarString(update)) as { n?: number } | null;
    entries.set(clientId, state?.n ?? null);
  }
  return entries;
}

/** Every awareness frame the socket receives from now on, in order. */
export function recordAwareness(socket: RawSocket): ReceivedAwareness[] {
  const frames: ReceivedAwareness[] = [];
  socket.ws.on('message', (data: Buffer) => {
    const entries = decodeAwarenessFrame(new Uint8Array(data));
    if (entries) frames.push(entries);
  });
  return frames;
}
