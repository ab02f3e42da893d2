/**
 * Issue 11 figures: what one client that is let in (a guest who joined a public room,
 * over a real WebSocket) can do to a Scrible server with a few hand-made frames.
 *
 *   nested-4000 / nested-8000  a chain of N nested Y.Maps under a root `x` (no part of a
 *                              board), then one update setting a key in every level
 *   awareness-flood            one awareness update carrying 100,000 client ids
 *   awareness-big              16 awareness states of 1.9 MiB (one per frame), then a
 *                              fresh guest joins the room
 *
 * Each attack runs against a fresh server (`node src/main.ts` in a child process, as
 * the bench starts it), on PostgreSQL by default. Measured on the server: the slowest
 * GET /healthz (asked every 10 ms from a worker thread) from the first attack frame
 * until 2 s after the server answered it (for awareness-big: after the joiner listened),
 * next to the slowest in the 2 s before; VmRSS before and 3 s after; whether and how the
 * attacker's socket was closed; for awareness-big, what the joiner received. Every wait
 * gives up after 30 s.
 *
 *   node bench/abuse.ts                                    # this checkout, once
 *   node bench/abuse.ts --server-root before=../old --server-root after=. --runs 2
 *   node bench/abuse.ts --attacks nested-4000,awareness-big --target scrible-pglite
 *   node bench/abuse.ts --report bench/results/abuse-<date>.json   # the table again
 *
 * `--server-root [label=]<dir>` runs `<dir>/src/main.ts` (a worktree of another commit
 * with its own node_modules); versions alternate within each run so background load
 * falls on both. Writes bench/results/abuse-<date>.json and .md; prints the table.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { connectAuthenticated } from './lib/abuse-client.ts';
import { awarenessFloodFrames, bigAwarenessFrames, nestedMapFrames } from './lib/abuse-frames.ts';
import { abuseTable, describeClose, type JoinerReport, type Measurement } from './lib/abuse-report.ts';
import { hrMs, startHealthzProbe, worstLatency } from './lib/healthz-probe.ts';
import { sleep, settle } from './lib/stats.ts';
import { startTarget, type RunningTarget, type TargetName } from './lib/targets.ts';

const GIVE_UP_MS = 30_000;
// The baseline is as long as the window after a quickly refused attack, so the two
// worst responses compare like for like on a machine busy with other work.
const BASELINE_MS = 2_000;
const PROBE_AFTER_MS = 2_000;
const RSS_AFTER_MS = 3_000;
/** How long the joiner keeps listening once synced (the awareness frame comes right away). */
const JOINER_LISTEN_MS = 1_000;
const MiB = 2 ** 20;

interface Attack {
  name: string;
  what: string;
  frames(room: string): Uint8Array[];
  /** A fresh guest joins after the attack and reports what it received. */
  joiner?: boolean;
}

const ATTACKS: Attack[] = [
  {
    name: 'nested-4000',
    what: '4,000 nested Y.Maps under root "x", then one update touching every level',
    frames: (room) => nestedMapFrames(room, 4000),
  },
  {
    name: 'nested-8000',
    what: '8,000 nested Y.Maps under root "x", then one update touching every level',
    frames: (room) => nestedMapFrames(room, 8000),
  },
  { name: 'awareness-flood', what: 'one awareness update with 100,000 client ids', frames: (room) => awarenessFloodFrames(room, 100_000) },
  {
    name: 'awareness-big',
    what: '16 awareness states of 1.9 MiB (one frame each), then a fresh guest joins',
    frames: (room) => bigAwarenessFrames(room, 16, Math.round(1.9 * MiB)),
    joiner: true,
  },
];

interface Version {
  label: string;
  root: string;
  commit: string;
}

const { values } = parseArgs({
  options: {
    'server-root': { type: 'string', multiple: true },
    runs: { type: 'string', default: '1' },
    attacks: { type: 'string' },
    target: { type: 'string', default: 'scrible-pg' },
    report: { type: 'string' },
  },
});
const targetName = values.target as TargetName;
if (targetName !== 'scrible-pg' && targetName !== 'scrible-pglite') throw new Error('--target: scrible-pg or scrible-pglite');
const runs = Number(values.runs);
const attacks = values.attacks ? values.attacks.split(',').map((name) => findAttack(name)) : ATTACKS;
const versions = (values['server-root'] ?? ['.']).map(parseVersion);

function findAttack(name: string): Attack {
  const attack = ATTACKS.find((a) => a.name === name);
  if (!attack) throw new Error(`unknown attack ${name}; one of ${ATTACKS.map((a) => a.name).join(', ')}`);
  return attack;
}

function parseVersion(spec: string): Version {
  const at = spec.indexOf('=');
  const root = path.resolve(at === -1 ? spec : spec.slice(at + 1));
  const commit = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  return { label: at === -1 ? commit : spec.slice(0, at), root, commit };
}

/** Resident memory of a process, from /proc/<pid>/status. */
function vmRssMiB(pid: number): number {
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return line ? Number(line[1]) / 1024 : Number.NaN;
}

async function postJson<T>(url: string, body: unknown, token?: string): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(GIVE_UP_MS),
  });
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** A new guest who joins the public room: the room token its provider would use. */
async function guestToken(httpUrl: string, room: string, name: string): Promise<string> {
  const guest = await postJson<{ token: string }>(`${httpUrl}/api/auth/guest`, { name });
  return (await postJson<{ token: string }>(`${httpUrl}/api/rooms/${room}/join`, {}, guest.token)).token;
}

/** A fresh guest opens the room; what the server sent it until shortly after its sync. */
async function join(target: RunningTarget, httpUrl: string, room: string): Promise<JoinerReport> {
  const started = hrMs();
  try {
    const client = await connectAuthenticated(target.wsUrl, room, await guestToken(httpUrl, room, 'Joiner'));
    const syncMs = hrMs() - started;
    await sleep(JOINER_LISTEN_MS);
    client.close();
    const sizes = client.received.map((frame) => frame.bytes);
    return {
      syncMs,
      frames: sizes.length,
      totalBytes: sizes.reduce((sum, n) => sum + n, 0),
      firstFrameBytes: sizes[0] ?? 0,
      largestFrameBytes: Math.max(0, ...sizes),
      awarenessFrameBytes: client.received.filter((frame) => frame.type === 1).map((frame) => frame.bytes),
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { frames: 0, totalBytes: 0, firstFrameBytes: 0, largestFrameBytes: 0, awarenessFrameBytes: [], error: message };
  }
}

async function measure(version: Version, attack: Attack, run: number): Promise<Measurement> {
  const target = await startTarget(targetName, { serverRoot: version.root, label: version.label });
  try {
    const httpUrl = target.wsUrl.replace(/^ws/, 'http');
    const [room] = await target.rooms(1, 'abuse');
    const attacker = await connectAuthenticated(target.wsUrl, room!, await guestToken(httpUrl, room!, 'Mallory'));
    // Built before anything is measured: the runner's own work stays out of the window.
    const frames = attack.frames(room!);
    await settle(() => target.cpuSeconds(), 10_000);
    const probe = startHealthzProbe(httpUrl);
    await sleep(BASELINE_MS);
    const rssBeforeMiB = vmRssMiB(target.pid);
    const startedMs = hrMs();
    const outcome = await attacker.attack(frames, GIVE_UP_MS);
    const joiner = attack.joiner && outcome.kind !== 'timeout' ? await join(target, httpUrl, room!) : undefined;
    const handledMs = hrMs() - startedMs;
    await sleep(RSS_AFTER_MS);
    const rssAfterMiB = vmRssMiB(target.pid);
    const attackerClosed = attacker.closed();
    attacker.close();
    const samples = await probe.stop();
    const answeredBefore = samples.filter((s) => s.sentMs + s.latencyMs < startedMs);
    const window = worstLatency(samples, startedMs, startedMs + handledMs + PROBE_AFTER_MS);
    return {
      version: version.label,
      attack: attack.name,
      run,
      frameBytes: frames.reduce((sum, frame) => sum + frame.byteLength, 0),
      outcome,
      handledMs: round(handledMs),
      baselineWorstMs: round(worstLatency(answeredBefore, startedMs - BASELINE_MS, startedMs).worstMs),
      worstHealthzMs: round(window.worstMs),
      worstHealthzAtMs: round(window.worstSentMs - startedMs),
      healthzRequests: window.requests,
      healthzFailed: window.failed,
      rssBeforeMiB: round(rssBeforeMiB),
      rssAfterMiB: round(rssAfterMiB),
      ...(attackerClosed ? { attackerClosed } : {}),
      ...(joiner ? { joiner } : {}),
    };
  } finally {
    await target.stop();
  }
}

const round = (n: number) => Math.round(n * 10) / 10;

interface AbuseResults {
  scenario: 'abuse';
  date: string;
  target: TargetName;
  runs: number;
  machine: { cpu: string; cores: number; node: string; loadBefore: string[]; loadAfter: string[] };
  versions: Version[];
  attacks: Array<{ name: string; what: string }>;
  measurements: Measurement[];
  table?: string;
}

/** Writes bench/results/abuse-<day>.json and .md and prints the table. */
function report(results: AbuseResults): void {
  results.table = abuseTable(
    results.measurements,
    results.attacks.map((a) => a.name),
    results.versions.map((v) => v.label),
  );
  const { machine, runs } = results;
  const header =
    `Run ${results.date} (${results.target}, ${runs} run${runs > 1 ? 's, median (min–max)' : ''}); ` +
    `load average ${machine.loadBefore.join(' ')} before, ${machine.loadAfter.join(' ')} after.`;
  const file = `bench/results/abuse-${results.date.slice(0, 10)}`;
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`${file}.json`, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(`${file}.md`, `${header}\n\n${results.table}\n`);
  console.log(`\n${header}\n\n${results.table}`);
}

async function runAll(): Promise<AbuseResults> {
  const date = new Date().toISOString();
  const loadBefore = loadavg().map((n) => n.toFixed(1));
  const measurements: Measurement[] = [];
  // Versions alternate within each attack, so background load falls on both alike.
  for (let run = 1; run <= runs; run++) {
    for (const attack of attacks) {
      for (const version of versions) {
        const m = await measure(version, attack, run).catch((error: unknown) => failed(version, attack, run, error));
        measurements.push(m);
        console.log(
          `run ${run} ${version.label} ${attack.name}: ${describeClose(m)}, worst /healthz ${m.worstHealthzMs} ms at ${m.worstHealthzAtMs} ` +
            `(baseline ${m.baselineWorstMs}), RSS ${m.rssBeforeMiB} → ${m.rssAfterMiB} MiB, handled in ${m.handledMs} ms` +
            (m.joiner ? `, joiner ${JSON.stringify(m.joiner)}` : ''),
        );
      }
    }
  }
  return {
    scenario: 'abuse',
    date,
    target: targetName,
    runs,
    machine: {
      cpu: cpus()[0]?.model ?? '?',
      cores: cpus().length,
      node: process.version,
      loadBefore,
      loadAfter: loadavg().map((n) => n.toFixed(1)),
    },
    versions,
    attacks: attacks.map(({ name, what }) => ({ name, what })),
    measurements,
  };
}

function failed(version: Version, attack: Attack, run: number, error: unknown): Measurement {
  return {
    version: version.label,
    attack: attack.name,
    run,
    frameBytes: 0,
    outcome: { kind: 'timeout' },
    handledMs: 0,
    baselineWorstMs: 0,
    worstHealthzMs: 0,
    worstHealthzAtMs: 0,
    healthzRequests: 0,
    healthzFailed: 0,
    rssBeforeMiB: 0,
    rssAfterMiB: 0,
    error: error instanceof Error ? error.message : String(error),
  };
}

// `--report <json>` prints (and rewrites the .md of) an earlier run without measuring.
report(values.report ? (JSON.parse(readFileSync(values.report, 'utf8')) as AbuseResults) : await runAll());
