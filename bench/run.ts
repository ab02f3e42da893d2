/**
 * `npm run bench` (about 10 minutes) and `npm run bench -- --quick` (about a minute).
 * Starts each server under test in its own process, one at a time, drives it from two
 * forked load workers, and writes bench/results/<date>.json, a markdown table
 * (bench/results/<date>.md), charts (bench/results/charts/) and the README's results.
 *
 * Options: --quick, --targets=a,b (default: all), --no-variants, --no-plugins,
 * --scenarios=fan-out,hot-room (default: all five: connections, fan-out, hot-room, presence, cold-load), --variant=label[@scrible-pglite]:KEY=value,KEY=value
 * (repeatable: scrible-pg, or the target named, again with those settings), --repeat=N (every run N times,
 * interleaved, to compare on a shared machine). A run narrowed by --targets,
 * --scenarios or --variant writes bench/results/<date>-partial.* and leaves the README.
 * Examples: `npm run bench -- --quick`, `npm run bench -- --targets=scrible-pg,hocuspocus
 * --scenarios=hot-room --variant=no-cork:WS_CORK=false --repeat=2`.
 * Plug-ins: every bench/scenarios/*.ts exporting `run({ quick })`, plus
 * bench/cross-instance.ts and bench/export-latency.ts when present.
 */
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { latencyCdfChart, throughputChart } from './lib/charts.ts';
import { LoadPool } from './lib/load.ts';
import { markdownReport, type BenchResults } from './report.ts';
import { settle } from './lib/stats.ts';
import { ALL_TARGETS, startTarget, type TargetName, type TargetOptions } from './lib/targets.ts';
import { measureColdLoad } from './scenarios/cold-load.ts';
import { measureConnections } from './scenarios/connections.ts';
import { measureFanOut } from './scenarios/fan-out.ts';
import { measureHotRoom } from './scenarios/hot-room.ts';
import { measurePresence } from './scenarios/presence.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args
  .find((a) => a.startsWith('--targets='))
  ?.split('=')[1]
  ?.split(',') as TargetName[] | undefined;
const HERE = fileURLToPath(new URL('./', import.meta.url));
const PLUGIN_TIMEOUT_MS = 5 * 60_000;
const started = performance.now();
const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}`);

type Scenario = 'connections' | 'fan-out' | 'hot-room' | 'cold-load' | 'presence';
interface Run {
  name: TargetName;
  options?: TargetOptions;
  scenarios: Scenario[];
}
const everything: Scenario[] = ['connections', 'fan-out', 'hot-room', 'presence', 'cold-load'];
const chosenScenarios = args
  .find((a) => a.startsWith('--scenarios='))
  ?.split('=')[1]
  ?.split(',') as Scenario[] | undefined;
const scenarios = chosenScenarios ?? everything;
/** `--variant=label[@target]:KEY=value,KEY=value`: scrible-pg (or scrible-pglite) with those settings. */
const chosenVariants: Run[] = args
  .filter((a) => a.startsWith('--variant='))
  .map((a) => {
    const [labelAndTarget = '', settings = ''] = a.slice('--variant='.length).split(':');
    const [label, target = 'scrible-pg'] = labelAndTarget.split('@');
    const env = Object.fromEntries(
      settings
        .split(',')
        .filter(Boolean)
        .map((pair) => pair.split('=') as [string, string]),
    );
    if (target !== 'scrible-pg' && target !== 'scrible-pglite') throw new Error(`${a}: only scrible-pg and scrible-pglite take settings`);
    return { name: target, options: { label: label!, env }, scenarios };
  });
const repeat = Number(args.find((a) => a.startsWith('--repeat='))?.split('=')[1] ?? 1);
const partial = Boolean(only || chosenScenarios || chosenVariants.length > 0);
const once: Run[] = [...(only ?? ALL_TARGETS).map((name) => ({ name, scenarios })), ...chosenVariants];
const runs: Run[] = Array.from({ length: repeat }, () => once).flat();
if (!quick && !args.includes('--no-variants') && !partial) {
  // Options the issue asked to measure; each against scrible-pg in this same run.
  runs.push(
    { name: 'scrible-pg', options: { label: 'cork', env: { WS_CORK: 'true' } }, scenarios: ['fan-out', 'hot-room'] },
    { name: 'scrible-pg', options: { label: 'flush-off', env: { WS_FLUSH_DELAY_MS: 'off' } }, scenarios: ['fan-out', 'hot-room'] },
    { name: 'scrible-pg', options: { label: 'batch-5ms', env: { WS_FLUSH_DELAY_MS: '5' } }, scenarios: ['fan-out', 'hot-room'] },
    { name: 'scrible-pg', options: { label: 'deflate', env: { WS_COMPRESSION: 'true' } }, scenarios: ['fan-out', 'hot-room'] },
    { name: 'scrible-pg', options: { label: 'keep-loaded-30s', env: { ROOM_KEEP_LOADED_MS: '30000' } }, scenarios: ['cold-load'] },
  );
}

const sh = (command: string) => {
  try {
    return execSync(command, { encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
};
const results: BenchResults = {
  date: new Date().toISOString(),
  quick,
  machine: {
    cpu: cpus()[0]?.model ?? '?',
    nproc: sh('nproc'),
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    freeH: sh('free -h'),
    node: process.version,
    loadBefore: loadavg()
      .map((n) => n.toFixed(1))
      .join(' '),
    loadAfter: '',
  },
  fanOut: [],
  hotRoom: [],
  connections: [],
  coldLoad: [],
  presence: [],
  plugins: {},
};

const pool = new LoadPool(2);
try {
  for (const run of runs) {
    log(`— ${run.name}${run.options?.label ? `+${run.options.label}` : ''}`);
    let target = await startTarget(run.name, run.options);
    const compression = run.options?.env?.WS_COMPRESSION === 'true';
    const ctx = { quick, pool, log };
    try {
      const idle = () => settle(() => target.cpuSeconds());
      await idle();
      if (run.scenarios.includes('connections')) results.connections.push(await measureConnections(target, ctx)), await idle();
      if (run.scenarios.includes('fan-out')) results.fanOut.push(await measureFanOut(target, ctx, { compression })), await idle();
      if (run.scenarios.includes('hot-room')) {
        const readerCounts = quick || run.options ? [200] : [25, 50, 100, 200];
        for (const readers of readerCounts) results.hotRoom.push(await measureHotRoom(target, ctx, { readers, compression })), await idle();
      }
      // Cursors are a Hocuspocus-protocol message: y-websocket and the raw relay have no row.
      if (run.scenarios.includes('presence') && target.protocol === 'hocuspocus')
        results.presence.push(await measurePresence(target, ctx)), await idle();
      if (run.scenarios.includes('cold-load')) {
        const cold = await measureColdLoad(target, ctx);
        target = cold.target;
        if (cold.row) results.coldLoad.push(cold.row);
      }
    } catch (error) {
      log(`${target.name} failed: ${(error as Error).message}`);
    } finally {
      await target.stop();
    }
  }
} finally {
  await pool.close();
}

if (!args.includes('--no-plugins') && !partial) {
  const plugins = [
    ...readdirSync(`${HERE}scenarios`)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `${HERE}scenarios/${f}`),
    ...['cross-instance.ts', 'export-latency.ts'].map((f) => `${HERE}${f}`).filter(existsSync),
  ];
  for (const file of plugins) {
    const module = (await import(pathToFileURL(file).href)) as {
      run?: (o: { quick: boolean; env?: Record<string, string>; log?: typeof log }) => Promise<unknown>;
    };
    if (typeof module.run !== 'function') continue;
    const name = file.slice(file.lastIndexOf('/') + 1, -3);
    log(`— plug-in ${name}`);
    try {
      let timer: NodeJS.Timeout | undefined;
      results.plugins[name] = await Promise.race([
        module.run({ quick, env: {}, log }),
        new Promise(
          (_, reject) => (timer = setTimeout(() => reject(new Error(`no result within ${PLUGIN_TIMEOUT_MS / 1000} s`)), PLUGIN_TIMEOUT_MS)),
        ),
      ]).finally(() => clearTimeout(timer));
    } catch (error) {
      results.plugins[name] = { error: (error as Error).message };
      log(`plug-in ${name} failed: ${(error as Error).message}`);
    }
  }
}

results.machine.loadAfter = loadavg()
  .map((n) => n.toFixed(1))
  .join(' ');
const day = results.date.slice(0, 10);
const stem = `${HERE}results/${day}${quick ? '-quick' : ''}${partial ? '-partial' : ''}`;
mkdirSync(`${HERE}results/charts`, { recursive: true });
writeFileSync(`${stem}.json`, `${JSON.stringify(results, null, 1)}\n`);
const table = markdownReport(results);
writeFileSync(`${stem}.md`, `${table}\n`);
const chartStem = `${HERE}results/charts/${quick ? 'quick-' : ''}${partial ? 'partial-' : ''}`;
await latencyCdfChart(
  results.fanOut,
  `${chartStem}fan-out-latency-cdf`,
  'Fan-out delivery latency (100 rooms × 10 clients, 10 updates/s per room)',
);
await throughputChart(
  results.hotRoom.map((h) => ({ target: h.target, readers: h.readers, deliveriesPerSecond: h.maxDeliveriesPerSecond })),
  `${chartStem}hot-room-throughput`,
  'Hot room: max sustained deliveries/s vs readers',
);
if (!quick && !partial) {
  // The README always shows the latest full run.
  const readme = `${HERE}README.md`;
  const text = existsSync(readme) ? readFileSync(readme, 'utf8') : '<!-- results:start -->\n<!-- results:end -->\n';
  const block = `<!-- results:start -->\n${table}\n![Fan-out latency CDF](results/charts/fan-out-latency-cdf.svg)\n\n![Hot room throughput](results/charts/hot-room-throughput.svg)\n\nMachine (\`free -h\`):\n\n\`\`\`\n${results.machine.freeH}\n\`\`\`\n<!-- results:end -->`;
  writeFileSync(readme, text.replace(/<!-- results:start -->[\s\S]*<!-- results:end -->/, block));
  // The table is written plain, and `npm test` checks the README's format: align it here.
  const biome = fileURLToPath(new URL('../node_modules/.bin/biome', import.meta.url));
  const formatted = spawnSync(biome, ['format', '--write', readme], { encoding: 'utf8' });
  if (formatted.status !== 0)
    log(`README not formatted (run \`npx biome format --write bench/README.md\`): ${formatted.error?.message ?? formatted.stderr}`);
}
console.log(`\n${table}`);
log(`wrote ${stem}.json, ${stem}.md and charts`);
