/**
 * Client side of bench/export-latency.ts, run in its own process so the clients never
 * share an event loop with the server they measure. One writer sets a counter in the
 * busy room every INTERVAL ms; readers record how long each value took to reach them.
 * Speaks to the parent over IPC: `start` → `ready`, `measure` → `samples`, `stop`.
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import * as Y from 'yjs';

const INTERVAL_MS = 20;
// Never outlive a parent that died without saying stop.
setTimeout(() => process.exit(2), 10 * 60_000).unref();

interface Client {
  doc: Y.Doc;
  provider: HocuspocusProvider;
  socket: HocuspocusProviderWebsocket;
}

function connect(wsUrl: string, roomId: string, token: string): Promise<Client> {
  const doc = new Y.Doc();
  const socket = new HocuspocusProviderWebsocket({ url: wsUrl });
  const provider = new HocuspocusProvider({ websocketProvider: socket, name: roomId, document: doc, token });
  provider.attach();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('client did not sync within 10 s')), 10_000);
    provider.on('synced', () => {
      clearTimeout(timer);
      resolve({ doc, provider, socket });
    });
  });
}

let writer: Client;
let readers: Client[] = [];
const sentAt = new Map<number, number>();
let samples: number[] = [];

process.on('message', async (message: { type: string; wsUrl?: string; roomId?: string; token?: string; readers?: number; ms?: number }) => {
  if (message.type === 'start') {
    writer = await connect(message.wsUrl!, message.roomId!, message.token!);
    readers = await Promise.all(
      Array.from({ length: message.readers ?? 4 }, () => connect(message.wsUrl!, message.roomId!, message.token!)),
    );
    for (const reader of readers) {
      reader.doc.getMap('meta').observe(() => {
        const seq = reader.doc.getMap('meta').get('bench-seq') as number;
        const sent = sentAt.get(seq);
        if (sent !== undefined) samples.push(performance.now() - sent);
      });
    }
    process.send!({ type: 'ready' });
  } else if (message.type === 'measure') {
    samples = [];
    let seq = 0;
    const timer = setInterval(() => {
      seq++;
      sentAt.set(seq, performance.now());
      writer.doc.getMap('meta').set('bench-seq', seq);
    }, INTERVAL_MS);
    await new Promise((resolve) => setTimeout(resolve, message.ms));
    clearInterval(timer);
    // Let the last values arrive before reporting.
    await new Promise((resolve) => setTimeout(resolve, 200));
    sentAt.clear();
    process.send!({ type: 'samples', samples });
  } else if (message.type === 'stop') {
    for (const client of [writer, ...readers]) {
      client?.provider.destroy();
      client?.socket.destroy();
    }
    process.exit(0);
  }
});
