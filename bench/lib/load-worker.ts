/**
 * A load generator process (forked by `load.ts`): opens lean protocol clients, writes
 * marked updates at a given rate, and records what its readers received. It runs in
 * its own process so the figures measure the server, not the clients.
 *
 * IPC commands: open, write, collect, close (see `WorkerCommand`).
 */
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import {
  awarenessFrame,
  emptyStep2,
  keepAliveFrame,
  marker,
  nowMicros,
  openingFrames,
  parseFrame,
  scanMarkers,
  updateFrame,
  type Protocol,
} from './protocol.ts';

export interface ClientSpec {
  room: string;
  roomIndex: number;
  token: string;
  role: 'writer' | 'reader';
  /** Which load worker runs this client; default: rooms dealt round-robin. */
  worker?: number;
}

export type WorkerCommand =
  | { cmd: 'open'; url: string; protocol: Protocol; clients: ClientSpec[]; concurrency: number; compression: boolean }
  | { cmd: 'write'; phase: number; rate: number; durationMs: number; payloadBytes: number; awarenessRate: number }
  | { cmd: 'collect'; phase: number }
  | { cmd: 'reset' }
  | { cmd: 'close' };

export interface PhaseReport {
  /** Delivery latencies in ms, every reader, every update. */
  latencies: number[];
  /** Sender acknowledgement latencies in ms (Hocuspocus sync status). */
  ackLatencies: number[];
  /** Per room: distinct updates delivered (summed over readers) and duplicates. */
  delivered: Record<number, number>;
  duplicates: Record<number, number>;
  readers: Record<number, number>;
  /** Awareness entries (one client's state each) received by all clients during the phase. */
  awarenessReceived: number;
}

interface Client {
  spec: ClientSpec;
  ws: WebSocket;
  ready: boolean;
  /** phase -> seq -> times seen (readers). */
  seen: Map<number, Uint8Array>;
  /** Send times waiting for their ack (writers). */
  pendingAcks: number[];
  doc?: Y.Doc;
  lastUpdate?: Uint8Array;
}

let protocol: Protocol = 'hocuspocus';
const clients: Client[] = [];
const latencies = new Map<number, number[]>();
const ackLatencies = new Map<number, number[]>();
const awarenessReceived = new Map<number, number>();
let sentFrom: Record<number, number> = {};

const send = (message: unknown) => process.send!(message);
const listFor = (map: Map<number, number[]>, phase: number) => {
  let list = map.get(phase);
  if (!list) map.set(phase, (list = []));
  return list;
};

function onFrame(client: Client, data: Buffer, resolveReady: (error?: string) => void): void {
  const received = nowMicros();
  const message = parseFrame(protocol, data);
  switch (message.kind) {
    case 'update':
      if (!client.ready && protocol === 'raw') return;
      if (client.spec.role !== 'reader') return;
      scanMarkers(message.payload, (roomIndex, phase, seq, sentMicros) => {
        if (roomIndex !== client.spec.roomIndex) return;
        listFor(latencies, phase).push((received - sentMicros) / 1000);
        let seen = client.seen.get(phase);
        if (!seen || seen.length <= seq) {
          const grown = new Uint8Array(Math.max(1024, (seq + 1) * 2));
          if (seen) grown.set(seen);
          client.seen.set(phase, (seen = grown));
        }
        seen[seq] = Math.min(255, seen[seq]! + 1);
      });
      return;
    case 'synced':
      if (!client.ready) {
        client.ready = true;
        resolveReady();
      }
      return;
    case 'step1':
      client.ws.send(emptyStep2(protocol, client.spec.room));
      return;
    case 'ack': {
      const sentAt = client.pendingAcks.shift();
      if (sentAt !== undefined && currentWritePhase >= 0) listFor(ackLatencies, currentWritePhase).push((received - sentAt) / 1000);
      return;
    }
    case 'denied':
      resolveReady(`denied: ${message.reason}`);
      return;
    case 'awareness':
      if (currentWritePhase >= 0)
        awarenessReceived.set(currentWritePhase, (awarenessReceived.get(currentWritePhase) ?? 0) + message.entries);
      return;
    default:
  }
}

function openClient(url: string, spec: ClientSpec, compression: boolean): Promise<string | undefined> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(error);
    };
    const timer = setTimeout(() => done('timeout'), 30_000);
    const ws = new WebSocket(`${url}/${spec.room}`, { perMessageDeflate: compression });
    const client: Client = { spec, ws, ready: false, seen: new Map(), pendingAcks: [] };
    ws.on('open', () => {
      for (const f of openingFrames(protocol, spec.room, spec.token)) ws.send(f);
      if (protocol === 'raw') {
        client.ready = true;
        done();
      }
    });
    ws.on('message', (data: Buffer) => onFrame(client, data, done));
    ws.on('error', (error) => done(String(error.message)));
    ws.on('close', (code) => done(`closed ${code}`));
    clients.push(client);
  });
}

async function open(command: Extract<WorkerCommand, { cmd: 'open' }>): Promise<void> {
  protocol = command.protocol;
  const started = performance.now();
  const failures: string[] = [];
  let next = 0;
  const lane = async () => {
    while (next < command.clients.length) {
      const error = await openClient(command.url, command.clients[next++]!, command.compression);
      if (error) failures.push(error);
    }
  };
  await Promise.all(Array.from({ length: command.concurrency }, lane));
  send({
    cmd: 'opened',
    ms: performance.now() - started,
    opened: command.clients.length - failures.length,
    failures: failures.slice(0, 5),
    failureCount: failures.length,
  });
}

let currentWritePhase = -1;

/** Each writer sends `rate` updates/s for `durationMs`, spread evenly and staggered. */
async function write(command: Extract<WorkerCommand, { cmd: 'write' }>): Promise<void> {
  const writers = clients.filter((c) => c.spec.role === 'writer' && c.ready);
  const presence = movePointers(command.awarenessRate);
  currentWritePhase = command.phase;
  sentFrom = {};
  const points = 'x'.repeat(Math.max(0, command.payloadBytes));
  const intervalMs = 1000 / command.rate;
  const started = performance.now();
  await Promise.all(
    writers.map(async (writer) => {
      if (!writer.doc) {
        writer.doc = new Y.Doc();
        writer.doc.on('update', (update: Uint8Array) => (writer.lastUpdate = update));
      }
      const map = writer.doc.getMap('meta');
      let seq = 0;
      // Staggered start so writers do not fire in lockstep.
      let due = started + Math.random() * Math.min(intervalMs, 100);
      while (performance.now() - started < command.durationMs) {
        const now = performance.now();
        if (now < due) {
          await new Promise((r) => setTimeout(r, Math.max(0, due - now)));
          continue;
        }
        // Catch up with the schedule (several per tick at high rates), never skip.
        while (due <= performance.now() && performance.now() - started < command.durationMs) {
          const sentAt = nowMicros();
          map.set('shape:stroke', { id: 'shape:stroke', m: marker(writer.spec.roomIndex, command.phase, seq++, sentAt), points });
          if (writer.ws.readyState !== WebSocket.OPEN) break;
          writer.ws.send(updateFrame(protocol, writer.spec.room, writer.lastUpdate!));
          if (protocol === 'hocuspocus') writer.pendingAcks.push(sentAt);
          due += intervalMs;
        }
      }
      sentFrom[writer.spec.roomIndex] = (sentFrom[writer.spec.roomIndex] ?? 0) + seq;
    }),
  );
  // A worker without writers still moves its clients' cursors for the whole phase.
  const left = command.durationMs - (performance.now() - started);
  if (command.awarenessRate > 0 && left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  presence.stop();
  send({ cmd: 'written', sent: sentFrom, ms: performance.now() - started });
}

/**
 * Every ready client (readers too) moves its cursor `rate` times a second, staggered,
 * as tldraw users do while the writer draws: a provider's awareness update each time.
 */
function movePointers(rate: number): { stop(): void } {
  if (rate <= 0 || protocol !== 'hocuspocus') return { stop() {} };
  const timers = clients
    .filter((c) => c.ready)
    .map((client, i) => {
      // Random, as a Y.Doc's client id is: the two workers' clients must not share ids.
      const clientId = 1 + Math.floor(Math.random() * 2 ** 31);
      let clock = 0;
      const tick = () => {
        if (client.ws.readyState !== WebSocket.OPEN) return;
        const x = Math.round(Math.random() * 2000);
        const y = Math.round(Math.random() * 1200);
        const state = {
          user: { name: `User ${i}`, color: '#1971c2' },
          presence: {
            userId: `user:${i}`,
            userName: `User ${i}`,
            color: '#1971c2',
            cursor: { x, y, type: 'default', rotation: 0 },
            currentPageId: 'page:page',
            camera: { x: 0, y: 0, z: 1 },
            lastActivityTimestamp: Date.now(),
            selectedShapeIds: [],
          },
        };
        client.ws.send(awarenessFrame(protocol, client.spec.room, clientId, ++clock, state)!);
      };
      let interval: NodeJS.Timeout | undefined;
      const start = setTimeout(
        () => {
          tick();
          interval = setInterval(tick, 1000 / rate);
        },
        Math.random() * (1000 / rate),
      );
      return () => (clearTimeout(start), clearInterval(interval));
    });
  return { stop: () => timers.forEach((stop) => stop()) };
}

function collect(phase: number): void {
  const report: PhaseReport = {
    latencies: latencies.get(phase) ?? [],
    ackLatencies: ackLatencies.get(phase) ?? [],
    awarenessReceived: awarenessReceived.get(phase) ?? 0,
    delivered: {},
    duplicates: {},
    readers: {},
  };
  for (const client of clients) {
    if (client.spec.role !== 'reader') continue;
    const i = client.spec.roomIndex;
    report.readers[i] = (report.readers[i] ?? 0) + 1;
    const seen = client.seen.get(phase);
    let delivered = 0;
    let duplicates = 0;
    if (seen) for (const count of seen) if (count > 0) delivered++, (duplicates += count - 1);
    report.delivered[i] = (report.delivered[i] ?? 0) + delivered;
    report.duplicates[i] = (report.duplicates[i] ?? 0) + duplicates;
    client.seen.delete(phase);
  }
  latencies.delete(phase);
  ackLatencies.delete(phase);
  awarenessReceived.delete(phase);
  send({ cmd: 'collected', report, cpu: process.cpuUsage() });
}

// Readers never write; like a provider's awareness renewals, a keep-alive every 20 s
// stops the server's 60 s idle timeout from closing them during long runs (soak).
const keepAlive = setInterval(() => {
  for (const c of clients) {
    const frame = c.ready && c.ws.readyState === c.ws.OPEN ? keepAliveFrame(protocol, c.spec.room) : undefined;
    if (frame) c.ws.send(frame);
  }
}, 20_000);
keepAlive.unref();

process.on('message', (command: WorkerCommand) => {
  if (command.cmd === 'open') void open(command);
  else if (command.cmd === 'write') void write(command);
  else if (command.cmd === 'collect') collect(command.phase);
  else if (command.cmd === 'reset') {
    for (const c of clients) c.ws.terminate();
    clients.length = 0;
    latencies.clear();
    ackLatencies.clear();
    send({ cmd: 'reset-done' });
  } else if (command.cmd === 'close') {
    for (const c of clients) c.ws.terminate();
    setTimeout(() => process.exit(0), 50);
  }
});
// Never outlive the runner.
process.on('disconnect', () => process.exit(0));
