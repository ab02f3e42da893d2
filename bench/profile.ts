/**
 * Profiles one server under load: `node bench/profile.ts [target] [seconds] [fan-out|connections|cold-load|hot-room|presence]`
 * (`PROFILE_SERVER_ENV=DURABLE_LOG=false` profiles the server with those settings).
 * Writes the V8 CPU profile (open it in Chrome DevTools or speedscope.app as a flame
 * graph) to bench/results/profiles/, and the embedded database's thread's profile under
 * `<name>-<time>-threads/` (see bench/lib/profile-threads.ts), and prints for each the
 * functions with the most self time.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LoadPool } from './lib/load.ts';
import { startTarget, type TargetName } from './lib/targets.ts';
import { measureColdLoad } from './scenarios/cold-load.ts';
import { measureConnections } from './scenarios/connections.ts';
import { measureFanOut } from './scenarios/fan-out.ts';
import { measureHotRoom } from './scenarios/hot-room.ts';
import { measurePresence } from './scenarios/presence.ts';

const name = (process.argv[2] ?? 'scrible-pglite') as TargetName;
const seconds = Number(process.argv[3] ?? 10);
/**
 * fan-out (default), connections (about `seconds` × 500 clients connecting), cold-load,
 * hot-room (the whole rate ladder) or presence (both phases); the last three ignore `seconds`.
 */
const scenario = process.argv[4] ?? 'fan-out';
const dir = fileURLToPath(new URL('./results/profiles/', import.meta.url));
mkdirSync(dir, { recursive: true });
const started = Date.now();
// PROFILE_SERVER_ENV=DURABLE_LOG=false,WS_CORK=true: the server's settings to profile.
const serverEnv = Object.fromEntries(
  (process.env.PROFILE_SERVER_ENV ?? '')
    .split(',')
    .filter((pair) => pair.includes('='))
    .map((pair) => pair.split(/=(.*)/s).slice(0, 2)),
);
const threadDir = path.join(dir, `${name}-${started}-threads`);
const target = await startTarget(name, {
  nodeArgs: [
    '--cpu-prof',
    `--cpu-prof-dir=${dir}`,
    `--cpu-prof-name=${name}-${started}.cpuprofile`,
    `--import=${fileURLToPath(new URL('./lib/profile-threads.ts', import.meta.url))}`,
  ],
  env: { ...serverEnv, PROFILE_THREAD_DIR: threadDir },
});
const pool = new LoadPool(2);
const ctx = { quick: false, pool, log: console.log };
let stopping = target;
let windowMicros: [number, number] = [0, Number.POSITIVE_INFINITY];
if (scenario === 'connections') windowMicros = (await measureConnections(target, ctx, seconds * 500)).windowMicros;
// The restarted server's whole life (load after restart, reopens); `seconds` is ignored.
else if (scenario === 'cold-load') stopping = (await measureColdLoad(target, ctx)).target;
else if (scenario === 'hot-room') {
  // PROFILE_HOT_RATE=3200: one step at that rate (200 readers), the profile cut to it,
  // to compare servers doing the same work; otherwise the whole ladder.
  const fixedRate = Number(process.env.PROFILE_HOT_RATE ?? 0);
  const row = await measureHotRoom(target, ctx, fixedRate ? { rates: [fixedRate], confirmFailures: false } : {});
  for (const step of row.steps)
    console.log(`  ${step.rate}/s: p99 ${step.latencyMs.p99} ms, lost ${step.lost}, server CPU ${step.serverCpuPercent}%`);
  if (fixedRate) windowMicros = row.steps[0]!.windowMicros;
} else if (scenario === 'presence') {
  // The phase with cursors: `PROFILE_PHASE=quiet` profiles the drawing alone.
  const row = await measurePresence(target, ctx);
  windowMicros = (process.env.PROFILE_PHASE === 'quiet' ? row.quiet : row.busy).windowMicros;
} else windowMicros = (await measureFanOut(target, ctx, { seconds })).windowMicros;
await pool.close();
await stopping.stop();

interface Node {
  id: number;
  parent?: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const file = readdirSync(dir)
  .filter((f) => f.startsWith(`${name}-${started}`))
  .map((f) => path.join(dir, f))
  .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0]!;
summarize(file, 'main thread');
// The server's worker threads that wrote a profile (the preload makes the folder for the first).
const threadProfiles = existsSync(threadDir) ? readdirSync(threadDir).filter((f) => f.endsWith('.cpuprofile')) : [];
for (const thread of threadProfiles)
  summarize(path.join(threadDir, thread), `worker ${thread.replace(/^thread-\d+-(\d+)\.cpuprofile$/, '$1')}`);

/** Prints where the profile's measured phase went: top functions, packages, and one package expanded. */
function summarize(file: string, label: string): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number };
  // Only the measured phase: V8's profile clock is the same monotonic clock as hrtime.
  const self = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at >= windowMicros[0] && at <= windowMicros[1]) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  for (const node of profile.nodes) for (const child of node.children ?? []) byId.get(child)!.parent = node.id;
  /** Who a sample's time belongs to: its package (or our file); a native frame (a syscall) goes to the nearest package that called it. */
  const owner = (node: Node): string => {
    const url = node.callFrame.url;
    const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
    if (pkg) return pkg[1]!;
    if (/\/(src|extensions|bench)\//.test(url)) return url.replace(/^.*\/(src|extensions|bench)\//, '$1/');
    if (url.startsWith('node:')) return 'node (internal)';
    return '';
  };
  const byPackage = new Map<string, number>();
  for (const [id, t] of self) {
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') continue;
    let key = owner(node);
    if (!key) {
      let caller = node.parent === undefined ? undefined : byId.get(node.parent);
      while (caller && !caller.callFrame.url.includes('node_modules/') && !/\/(src|extensions)\//.test(caller.callFrame.url)) {
        caller = caller.parent === undefined ? undefined : byId.get(caller.parent);
      }
      key = `${node.callFrame.functionName || '(native)'}${caller ? ` ← ${owner(caller)}` : ''}`;
    }
    byPackage.set(key, (byPackage.get(key) ?? 0) + t);
  }
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const t = self.get(node.id) ?? 0;
    total += t;
    const where = node.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|extensions|bench)\//, '$1/');
    const key = `${node.callFrame.functionName || '(anonymous)'} ${where}:${node.callFrame.lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + t);
  }
  const busy = total - (byFunction.get('(idle) :0') ?? 0);
  const phaseSeconds = Number.isFinite(windowMicros[1]) ? (windowMicros[1] - windowMicros[0]) / 1e6 : total / 1e6;
  console.log(
    `profile (${label}): ${file}\nbusy ${(busy / 1e6).toFixed(2)} s of ${(total / 1e6).toFixed(2)} s; top self time, ms per second of the measured phase and share of busy:`,
  );
  for (const [key, t] of [...byFunction]
    .filter(([k]) => !k.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(process.env.PROFILE_TOP ?? 30))) {
    console.log(`${(t / 1000 / phaseSeconds).toFixed(1).padStart(7)}  ${((t / busy) * 100).toFixed(1).padStart(5)}%  ${key}`);
  }
  console.log(
    `\nself time by package (native calls such as writev go to the package that made them), ms per second of the measured phase:`,
  );
  for (const [key, t] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
    console.log(`${(t / 1000 / phaseSeconds).toFixed(1).padStart(7)}  ${((t / busy) * 100).toFixed(1).padStart(5)}%  ${key}`);
  }
  if (process.env.PROFILE_EXPAND) {
    // `PROFILE_EXPAND=node (internal)`: that package's functions, each with the nearest caller outside it.
    const expand = process.env.PROFILE_EXPAND;
    const rows = new Map<string, number>();
    for (const [id, t] of self) {
      const node = byId.get(id)!;
      if (owner(node) !== expand) continue;
      let caller = node.parent === undefined ? undefined : byId.get(node.parent);
      while (caller && (owner(caller) === expand || owner(caller) === ''))
        caller = caller.parent === undefined ? undefined : byId.get(caller.parent);
      const key = `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url}:${node.callFrame.lineNumber + 1} ← ${caller ? `${caller.callFrame.functionName || '(anonymous)'} ${owner(caller)}` : '(event loop)'}`;
      rows.set(key, (rows.get(key) ?? 0) + t);
    }
    console.log(`\n${expand}, by function and nearest caller outside it (ms per second):`);
    for (const [key, t] of [...rows].sort((a, b) => b[1] - a[1]).slice(0, 25))
      console.log(`${(t / 1000 / phaseSeconds).toFixed(1).padStart(7)}  ${key}`);
  }
}
