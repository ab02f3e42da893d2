/**
 * Profiles one server under the fan-out load: `node bench/profile.ts [target] [seconds]`.
 * Writes the V8 CPU profile (open it in Chrome DevTools or speedscope.app as a flame
 * graph) to bench/results/profiles/ and prints the functions with the most self time.
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LoadPool } from './lib/load.ts';
import { startTarget, type TargetName } from './lib/targets.ts';
import { measureFanOut } from './scenarios/fan-out.ts';

const name = (process.argv[2] ?? 'scrible-pglite') as TargetName;
const seconds = Number(process.argv[3] ?? 10);
const dir = fileURLToPath(new URL('./results/profiles/', import.meta.url));
mkdirSync(dir, { recursive: true });
const started = Date.now();
const target = await startTarget(name, {
  nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}-${started}.cpuprofile`],
});
const pool = new LoadPool(2);
const { windowMicros } = await measureFanOut(target, { quick: false, pool, log: console.log }, { seconds });
await pool.close();
await target.stop();

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const file = readdirSync(dir)
  .filter((f) => f.startsWith(`${name}-${started}`))
  .map((f) => path.join(dir, f))
  .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0]!;
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number };
// Only the measured phase: V8's profile clock is the same monotonic clock as hrtime.
const self = new Map<number, number>();
let at = profile.startTime;
profile.samples.forEach((id, i) => {
  at += profile.timeDeltas[i] ?? 0;
  if (at >= windowMicros[0] && at <= windowMicros[1]) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
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
console.log(`profile: ${file}\nbusy ${(busy / 1e6).toFixed(2)} s of ${(total / 1e6).toFixed(2)} s; top self time (share of busy):`);
for (const [key, t] of [...byFunction]
  .filter(([k]) => !k.startsWith('(idle)'))
  .sort((a, b) => b[1] - a[1])
  .slice(0, 30)) {
  console.log(`${((t / busy) * 100).toFixed(1).padStart(5)}%  ${key}`);
}
