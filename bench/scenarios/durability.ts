/**
 * (e) Durability (issue 5): what acknowledging only stored updates costs. Fan-out
 * latency p50/p99 under the standard fan-out load, plus the sender's ack latency: the
 * time from a local change until a real HocuspocusProvider's `unsyncedChanges` is back
 * to 0, from 10 providers each changing their room 10 times a second.
 *
 * `run({ quick, env })` runs Scrible on PostgreSQL and on PGlite with `env` added to the
 * server's environment, so the durability work can be compared with and without its log.
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import * as Y from 'yjs';
import { AppendTimer, describeAppendTiming } from '../lib/append-timing.ts';
import { LoadPool } from '../lib/load.ts';
import { describePgWaits, PgWaits } from '../lib/pg-waits.ts';
import { sleep, summarize, type Summary } from '../lib/stats.ts';
import { POSTGRES_URL, startTarget, type RunningTarget, type TargetName } from '../lib/targets.ts';
import { measureFanOut } from './fan-out.ts';

export interface DurabilityRow {
  target: string;
  env: Record<string, string>;
  fanOutMs: Summary;
  /** Lean writers: update sent until its sync-status ack (one per update). */
  fanOutAckMs: Summary;
  /** Real providers: local change until `unsyncedChanges` returns to 0. */
  providerAckMs: Summary;
  lost: number;
  duplicated: number;
}

async function providerAcks(target: RunningTarget, seconds: number): Promise<number[]> {
  const rooms = await target.rooms(10, 'durable');
  const acks: number[] = [];
  await Promise.all(
    rooms.map(async (room, i) => {
      const doc = new Y.Doc();
      const websocketProvider = new HocuspocusProviderWebsocket({ url: `${target.wsUrl}/${room}` });
      const provider = new HocuspocusProvider({ websocketProvider, name: room, document: doc, token: target.token(500_000 + i) });
      const synced = new Promise<void>((resolve, reject) => {
        provider.on('synced', () => resolve());
        provider.on('authenticationFailed', ({ reason }: { reason: string }) => reject(new Error(reason)));
        setTimeout(() => reject(new Error(`${room}: provider not synced within 30 s`)), 30_000).unref();
      });
      provider.attach();
      await synced;
      const map = doc.getMap('meta');
      const until = performance.now() + seconds * 1000;
      for (let seq = 0; performance.now() < until; seq++) {
        const tick = performance.now();
        const acked = new Promise<void>((resolve) => {
          const onChange = ({ number }: { number: number }) => {
            if (number === 0) provider.off('unsyncedChanges', onChange), resolve();
          };
          provider.on('unsyncedChanges', onChange);
        });
        map.set('shape:stroke', { id: 'shape:stroke', seq, points: 'x'.repeat(200) });
        await Promise.race([acked, sleep(5_000)]);
        acks.push(performance.now() - tick);
        await sleep(Math.max(0, 100 - (performance.now() - tick)));
      }
      provider.destroy();
      websocketProvider.destroy();
    }),
  );
  return acks;
}

/**
 * Plug-in entry point: called by `bench/run.ts`, or alone with a different server env.
 * Without an env it measures both sides of the trade in one run: the durable log on
 * (the default) and off (`DURABLE_LOG=false`: debounced snapshots only, as bare
 * Hocuspocus with extension-database would persist).
 */
export async function run({
  quick,
  env,
  log = console.log,
  pgWaits = false,
}: {
  quick: boolean;
  env?: Record<string, string>;
  log?: (line: string) => void;
  /** Also sample the update log's PostgreSQL backends during the fan-out phase (bench/lib/pg-waits.ts; adds load). */
  pgWaits?: boolean;
}) {
  const rows: DurabilityRow[] = [];
  const targets: TargetName[] = quick ? ['scrible-pg'] : ['scrible-pg', 'scrible-pglite'];
  const envs = env && Object.keys(env).length ? [env] : [{}, { DURABLE_LOG: 'false' }];
  for (const name of targets) {
    for (const serverEnv of envs) rows.push(await measure(name, serverEnv, quick, log, pgWaits && name === 'scrible-pg'));
  }
  return { scenario: 'durability', rows };
}

async function measure(
  name: TargetName,
  env: Record<string, string>,
  quick: boolean,
  log: (line: string) => void,
  pgWaits: boolean,
): Promise<DurabilityRow> {
  const label = env.DURABLE_LOG === 'false' ? 'no-log' : Object.keys(env).length ? 'env' : undefined;
  const target = await startTarget(name, { env, label });
  const pool = new LoadPool(2);
  try {
    const waits = pgWaits ? new PgWaits(POSTGRES_URL) : undefined;
    const appends = env.DURABLE_LOG === 'false' ? undefined : new AppendTimer(target.wsUrl);
    await Promise.all([waits?.begin(), appends?.begin()]);
    const fanOut = await measureFanOut(target, { quick, pool, log }, { seconds: quick ? 2 : 10 });
    if (appends) log(describeAppendTiming(await appends.end()));
    if (waits) log(describePgWaits(await waits.end()));
    const acks = await providerAcks(target, quick ? 2 : 10);
    const row: DurabilityRow = {
      target: target.name,
      env,
      fanOutMs: fanOut.latencyMs,
      fanOutAckMs: fanOut.ackMs,
      providerAckMs: summarize(acks),
      lost: fanOut.lost,
      duplicated: fanOut.duplicated,
    };
    log(
      `durability ${row.target}: fan-out p50 ${row.fanOutMs.p50} p99 ${row.fanOutMs.p99} ms; ` +
        `ack at 1,000 updates/s p50 ${row.fanOutAckMs.p50} p99 ${row.fanOutAckMs.p99} ms; provider ack p50 ${row.providerAckMs.p50} p99 ${row.providerAckMs.p99} ms`,
    );
    return row;
  } finally {
    await pool.close();
    await target.stop();
  }
}

if (import.meta.main) {
  // node bench/scenarios/durability.ts [--quick] [--pg-waits] [NAME=value ...]: the server env to compare.
  const args = process.argv.slice(2);
  const env = Object.fromEntries(args.filter((a) => a.includes('=')).map((a) => a.split(/=(.*)/s).slice(0, 2)));
  console.log(JSON.stringify(await run({ quick: args.includes('--quick'), env, pgWaits: args.includes('--pg-waits') })));
}
