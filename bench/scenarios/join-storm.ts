/**
 * (f) Join storm (issue 12): a room holds a loaded ~4 MB board, then N clients (100,
 * and 150) open it at the same moment. Each joiner's time is from its socket's
 * creation to its SyncStep2 (the whole document) arriving; the storm's p50/p99/max, and
 * p99 as a fraction of bare Hocuspocus's p99 in the same round. Targets of the issue:
 * 100 joins p99 ≤ 0.5× bare Hocuspocus; 150 joins all done within 1.5 s.
 *
 * Before each storm one small change lands in the room, so no server starts a storm
 * with an encoding already made (Scrible's join cache is cold, as after any edit).
 * Every round starts each server afresh, one at a time, in an order that rotates
 * between rounds; the figures are the medians over the rounds.
 *
 * `node bench/scenarios/join-storm.ts [--quick] [--before=/path/to/checkout]`: with
 * `--before` (or JOIN_STORM_BEFORE), Scrible from that checkout (e.g. a worktree of
 * main) runs too, as `scrible-pg+before`, for before/after figures from one run.
 */
import { loadavg } from 'node:os';
import * as Y from 'yjs';
import { connectLean, type LeanClient } from '../lib/lean-client.ts';
import { settle, sleep, summarize, type Summary } from '../lib/stats.ts';
import { startTarget, type RunningTarget, type TargetName, type TargetOptions } from '../lib/targets.ts';
import { buildBoardUpdates } from './cold-load.ts';

const BOARD_BYTES = 4 * 2 ** 20;
const WARM_UP_JOINERS = 10;

interface Contender {
  name: TargetName;
  options?: TargetOptions;
}

export interface JoinStormSample {
  round: number;
  joinMs: Summary;
  /** First socket created until the last joiner synced. */
  wallMs: number;
  /** p99 over bare Hocuspocus's p99 in the same round (undefined for Hocuspocus itself). */
  p99Ratio: number | undefined;
  /** Joiners whose SyncStep2 was smaller than the document: they would not have had it all. */
  short: number;
  /** Joiners that never got the document (closed by the server): not in the times. */
  failed: number;
  /** Server CPU time (user + system) during the storm: robust where the machine is shared. */
  serverCpuMs: number;
}

export interface JoinStormRow {
  target: string;
  joiners: number;
  documentBytes: number;
  /** Medians over the rounds. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  wallMs: number;
  p99Ratio: number | undefined;
  /** Joiners that never got the document, over all rounds. */
  failed: number;
  serverCpuMs: number;
  samples: JoinStormSample[];
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const round2 = (n: number) => Math.round(n * 100) / 100;

/** A small change from a client of its own: invalidates anything a server kept of the previous state. */
function smallChange(root: string, tick: number): Uint8Array {
  const doc = new Y.Doc();
  doc.getArray(root).push([{ key: `shape:tick${tick}`, val: { id: `shape:tick${tick}`, typeName: 'shape', x: tick } }]);
  return Y.encodeStateAsUpdate(doc);
}

/**
 * `count` joiners at once; resolves when every one has the document or gave up. A
 * joiner the server closes (e.g. 4408: its authentication waited past the deadline
 * behind the others' encodings) is counted as failed, not timed.
 */
async function storm(
  target: RunningTarget,
  room: string,
  count: number,
  firstToken: number,
): Promise<{ ms: number[]; wallMs: number; syncBytes: number[]; failures: string[]; serverCpuMs: number; clientCpuMs: number }> {
  const serverCpu = target.cpuSeconds();
  const clientCpu = process.cpuUsage();
  const started = performance.now();
  const clients: LeanClient[] = [];
  for (let i = 0; i < count; i++) clients.push(connectLean(target.wsUrl, target.protocol, room, target.token(firstToken + i)));
  try {
    const outcomes = await Promise.allSettled(clients.map((client) => client.synced));
    const ms = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [String((o.reason as Error).message)] : []));
    const wallMs = performance.now() - started;
    const { user, system } = process.cpuUsage(clientCpu);
    return {
      ms,
      wallMs,
      syncBytes: clients.map((client) => client.syncBytes),
      failures,
      serverCpuMs: Math.round((target.cpuSeconds() - serverCpu) * 1000),
      clientCpuMs: Math.round((user + system) / 1000),
    };
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
}

export async function measureTarget(
  contender: Contender,
  sizes: number[],
  round: number,
  log: (line: string) => void,
): Promise<{
  name: string;
  documentBytes: number;
  storms: Map<number, { ms: number[]; wallMs: number; short: number; failed: number; serverCpuMs: number }>;
}> {
  const target = await startTarget(contender.name, contender.options);
  try {
    const [room] = await target.rooms(1, 'storm');
    const root = `tl_${room}`;
    const updates = buildBoardUpdates(BOARD_BYTES, root);
    const board = new Y.Doc();
    for (const update of updates) Y.applyUpdate(board, update);
    // The holder keeps the room loaded (Scrible unloads a room when its last client leaves).
    const holder = connectLean(target.wsUrl, target.protocol, room, target.token(700_000));
    await holder.push(updates);
    let tick = 0;
    const change = async () => {
      const update = smallChange(root, tick++);
      Y.applyUpdate(board, update);
      await holder.push([update]);
    };
    // Not reported: warms the JIT on every path a joiner takes.
    await storm(target, room, WARM_UP_JOINERS, 710_000);
    const storms = new Map<number, { ms: number[]; wallMs: number; short: number; failed: number; serverCpuMs: number }>();
    for (const count of sizes) {
      await change();
      await settle(() => target.cpuSeconds());
      const documentBytes = Y.encodeStateAsUpdate(board).byteLength;
      const result = await storm(target, room, count, 720_000 + count * 1000);
      const short = result.syncBytes.filter((bytes) => bytes > 0 && bytes < documentBytes).length;
      const failed = result.failures.length;
      storms.set(count, { ms: result.ms, wallMs: result.wallMs, short, failed, serverCpuMs: result.serverCpuMs });
      const summary = summarize(result.ms);
      log(
        `join storm round ${round} ${target.name} ×${count}: p50 ${summary.p50} p99 ${summary.p99} max ${summary.max} ms, all in ${Math.round(result.wallMs)} ms; CPU server ${result.serverCpuMs} ms, joiners ${result.clientCpuMs} ms${short ? `, ${short} SHORT` : ''}${failed ? `, ${failed} FAILED (e.g. ${result.failures[0]})` : ''}`,
      );
      await settle(() => target.cpuSeconds());
    }
    await holder.close();
    return { name: target.name, documentBytes: Y.encodeStateAsUpdate(board).byteLength, storms };
  } finally {
    await target.stop();
  }
}

/** Plug-in entry point (bench/run.ts), or alone: see the header. */
export async function run({
  quick,
  log = console.log,
  before = process.env.JOIN_STORM_BEFORE,
}: {
  quick: boolean;
  log?: (line: string) => void;
  before?: string;
}) {
  const sizes = [100, 150];
  const rounds = quick ? 1 : 3;
  const contenders: Contender[] = [
    { name: 'hocuspocus' },
    { name: 'scrible-pg' },
    ...(before ? [{ name: 'scrible-pg' as const, options: { label: 'before', serverRoot: before } }] : []),
  ];
  const loadBefore = loadavg().map((n) => n.toFixed(2));
  const byTarget = new Map<string, { documentBytes: number; samples: Map<number, JoinStormSample[]> }>();
  for (let round = 1; round <= rounds; round++) {
    const order = contenders.map((_, i) => contenders[(i + round - 1) % contenders.length]!);
    const results = [];
    for (const contender of order) {
      results.push(await measureTarget(contender, sizes, round, log));
      await sleep(500);
    }
    const baseline = results.find((r) => r.name === 'hocuspocus');
    for (const result of results) {
      const entry = byTarget.get(result.name) ?? { documentBytes: result.documentBytes, samples: new Map() };
      byTarget.set(result.name, entry);
      for (const [count, { ms, wallMs, short, failed, serverCpuMs }] of result.storms) {
        const joinMs = summarize(ms);
        const baseP99 = baseline?.storms.get(count) ? summarize(baseline.storms.get(count)!.ms).p99 : undefined;
        const sample: JoinStormSample = {
          round,
          joinMs,
          wallMs: Math.round(wallMs),
          p99Ratio: result.name === 'hocuspocus' || !baseP99 ? undefined : round2(joinMs.p99 / baseP99),
          short,
          failed,
          serverCpuMs,
        };
        entry.samples.set(count, [...(entry.samples.get(count) ?? []), sample]);
      }
    }
  }
  const rows: JoinStormRow[] = [];
  for (const [target, { documentBytes, samples }] of byTarget) {
    for (const [joiners, list] of samples) {
      const ratios = list.map((s) => s.p99Ratio).filter((r): r is number => r !== undefined);
      rows.push({
        target,
        joiners,
        documentBytes,
        p50Ms: round2(median(list.map((s) => s.joinMs.p50))),
        p99Ms: round2(median(list.map((s) => s.joinMs.p99))),
        maxMs: round2(median(list.map((s) => s.joinMs.max))),
        wallMs: Math.round(median(list.map((s) => s.wallMs))),
        p99Ratio: ratios.length ? round2(median(ratios)) : undefined,
        failed: list.reduce((sum, s) => sum + s.failed, 0),
        serverCpuMs: Math.round(median(list.map((s) => s.serverCpuMs))),
        samples: list,
      });
    }
  }
  for (const row of rows) {
    log(
      `join storm ${row.target} ×${row.joiners} (${(row.documentBytes / 2 ** 20).toFixed(1)} MiB, median of ${row.samples.length}): ` +
        `p50 ${row.p50Ms} p99 ${row.p99Ms} max ${row.maxMs} ms, all in ${row.wallMs} ms, server CPU ${row.serverCpuMs} ms` +
        `${row.p99Ratio !== undefined ? `, p99 ${row.p99Ratio}× Hocuspocus` : ''}${row.failed ? `, ${row.failed} joiners failed` : ''}`,
    );
  }
  return { scenario: 'join-storm', rounds, loadBefore, loadAfter: loadavg().map((n) => n.toFixed(2)), rows };
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const before = args.find((a) => a.startsWith('--before='))?.split('=')[1];
  console.log(JSON.stringify(await run({ quick: args.includes('--quick'), ...(before ? { before } : {}) }), null, 1));
}
