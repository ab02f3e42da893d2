// Cross-instance delivery latency: the same load once within a single instance
// and once from an instance to another through Redis, in one run.
//
//   node bench/cross-instance.ts [--quick]
//
// Servers are child processes (`node src/main.ts`, as in production); this process
// only runs the load clients, so both ends of a measurement share one clock.
// Needs PostgreSQL (BENCH_DATABASE_URL, default the test server) and Redis
// (BENCH_REDIS_URL); a scratch database and key prefix are made and dropped.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import postgres from 'postgres';
import * as Y from 'yjs';
import { spawnServer } from '../test/helpers/server-process.ts';
import { BENCH_LIMITS_ENV } from './lib/targets.ts';

const POSTGRES_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = 'bench-secret-cross-instance';

/** Load shape; `quick` is for CI smoke runs. */
interface Load {
  rooms: number;
  receiversPerRoom: number;
  updatesPerSecond: number;
  seconds: number;
  warmupSeconds: number;
}
const FULL: Load = { rooms: 10, receiversPerRoom: 5, updatesPerSecond: 20, seconds: 10, warmupSeconds: 1 };
const QUICK: Load = { rooms: 4, receiversPerRoom: 3, updatesPerSecond: 20, seconds: 3, warmupSeconds: 0.5 };

interface Instance {
  child: ChildProcess;
  url: string;
  wsUrl: string;
}

async function startInstance(env: Record<string, string>): Promise<Instance> {
  const server = spawnServer(
    {
      JWT_SECRET: SECRET,
      // The bench measures delivery, not the rate limits (room creation included:
      // one owner creates every room, more than an hour's allowance).
      ...BENCH_LIMITS_ENV,
      ...env,
    },
    30_000,
  );
  return { child: server.child, ...(await server.listening) };
}

async function stopInstance(instance: Instance): Promise<void> {
  if (instance.child.exitCode !== null) return;
  const exited = new Promise((resolve) => instance.child.once('exit', resolve));
  instance.child.kill('SIGTERM');
  const timer = setTimeout(() => instance.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function post(url: string, path: string, body: unknown, token?: string): Promise<any> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

interface Client {
  doc: Y.Doc;
  provider: HocuspocusProvider;
  socket: HocuspocusProviderWebsocket;
}

async function connect(wsUrl: string, roomId: string, token: string): Promise<Client> {
  const doc = new Y.Doc();
  const socket = new HocuspocusProviderWebsocket({ url: `${wsUrl}/collab/${roomId}` });
  const provider = new HocuspocusProvider({ websocketProvider: socket, name: roomId, document: doc, token });
  provider.attach();
  const deadline = Date.now() + 15_000;
  while (!provider.isSynced) {
    if (Date.now() > deadline) throw new Error(`room ${roomId} did not sync`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { doc, provider, socket };
}

function close(client: Client): void {
  client.provider.destroy();
  client.socket.destroy();
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round = (value: number) => Math.round(value * 1000) / 1000;

interface Scenario {
  senders: Client[];
  samples: number[];
}

/**
 * One sender per room on `senderWs`, receivers on `receiverWs`; each update carries
 * the sender's `performance.now()`, and each receiver records now minus that while
 * `scenario.recording` is on.
 */
async function setUp(senderWs: string, receiverWs: string, rooms: string[], token: string, load: Load, clients: Client[]) {
  const scenario: Scenario & { recording: boolean } = { senders: [], samples: [], recording: false };
  for (const roomId of rooms) {
    for (let i = 0; i < load.receiversPerRoom; i++) {
      const receiver = await connect(receiverWs, roomId, token);
      receiver.doc.getMap('meta').observe((event) => {
        if (!scenario.recording || !event.keysChanged.has('bench-t')) return;
        const sent = event.target.get('bench-t') as [number, number];
        scenario.samples.push(performance.now() - sent[1]);
      });
      clients.push(receiver);
    }
    const sender = await connect(senderWs, roomId, token);
    clients.push(sender);
    scenario.senders.push(sender);
  }
  return scenario;
}

/** Drives one scenario for `ms`, recording after `warmupMs`. */
async function drive(scenario: Scenario & { recording: boolean }, load: Load, ms: number, warmupMs: number): Promise<void> {
  let seq = 0;
  const timer = setInterval(() => {
    for (const sender of scenario.senders) sender.doc.getMap('meta').set('bench-t', [seq++, performance.now()]);
  }, 1000 / load.updatesPerSecond);
  await new Promise((resolve) => setTimeout(resolve, warmupMs));
  scenario.recording = true;
  await new Promise((resolve) => setTimeout(resolve, ms));
  clearInterval(timer);
  // Let the last updates arrive before the other scenario starts.
  await new Promise((resolve) => setTimeout(resolve, 200));
  scenario.recording = false;
}

function figures(samples: number[]) {
  const sorted = samples.sort((a, b) => a - b);
  return {
    samples: sorted.length,
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted.at(-1) ?? NaN),
  };
}

/**
 * Runs both scenarios and returns the figures (also what the standalone run prints).
 *
 * @param options - `quick`: a smaller, shorter load for smoke runs.
 * @returns `{ bench, load, single, crossInstance, addedP99Ms, targetAddedP99Ms, withinTarget }`.
 * @example const result = await run({ quick: true })
 */
export async function run(options: { quick?: boolean } = {}): Promise<object> {
  const load = options.quick ? QUICK : FULL;
  const database = `scrible_bench_${randomBytes(5).toString('hex')}`;
  const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${database}`);
  const databaseUrl = new URL(POSTGRES_URL);
  databaseUrl.pathname = `/${database}`;
  const prefix = `scrible-bench-${randomBytes(4).toString('hex')}`;
  const common = { DATABASE_URL: databaseUrl.toString(), DATA_DIR: `/tmp/${database}` };
  const instances: Instance[] = [];
  try {
    // Sequential starts: the first one migrates the scratch database.
    const single = await startInstance({ ...common, INSTANCE_ID: 'bench-single' });
    instances.push(single);
    const a = await startInstance({ ...common, REDIS_URL, REDIS_PREFIX: prefix, INSTANCE_ID: 'bench-a' });
    instances.push(a);
    const b = await startInstance({ ...common, REDIS_URL, REDIS_PREFIX: prefix, INSTANCE_ID: 'bench-b' });
    instances.push(b);

    const { token } = await post(single.url, '/api/auth/guest', { name: 'Bench' });
    const newRooms = async () => {
      const ids: string[] = [];
      for (let i = 0; i < load.rooms; i++)
        ids.push((await post(single.url, '/api/rooms', { name: `Bench ${i}`, visibility: 'private' }, token)).id);
      return ids;
    };
    // Both scenarios stay connected and take turns, one second each, so a busy
    // machine's slow moments hit both alike.
    const clients: Client[] = [];
    let singleFigures;
    let crossFigures;
    try {
      const local = await setUp(single.wsUrl, single.wsUrl, await newRooms(), token, load, clients);
      const cross = await setUp(a.wsUrl, b.wsUrl, await newRooms(), token, load, clients);
      await drive(local, load, 0, load.warmupSeconds * 1000);
      await drive(cross, load, 0, load.warmupSeconds * 1000);
      for (let turn = 0; turn < load.seconds; turn++) {
        await drive(local, load, 1000, 100);
        await drive(cross, load, 1000, 100);
      }
      singleFigures = figures(local.samples);
      crossFigures = figures(cross.samples);
    } finally {
      clients.forEach(close);
    }
    const addedP99Ms = round(crossFigures.p99Ms - singleFigures.p99Ms);
    return {
      bench: 'cross-instance',
      load,
      single: singleFigures,
      crossInstance: crossFigures,
      addedP50Ms: round(crossFigures.p50Ms - singleFigures.p50Ms),
      addedP99Ms,
      targetAddedP99Ms: 2,
      withinTarget: addedP99Ms <= 2,
    };
  } finally {
    await Promise.all(instances.map(stopInstance));
    await admin.unsafe(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await run({ quick: process.argv.includes('--quick') });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
