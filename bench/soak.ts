/**
 * Soak (issue 5): 500 connections on one Scrible instance (PostgreSQL, every extension
 * on) for 10 minutes (`--quick`: 1 minute): 50 rooms of 10 clients, one writer per room
 * at 2 updates/s, while the server's resident memory is sampled every 5 s. Memory is
 * flat when the last fifth of the run averages within 10% of the fifth after warm-up.
 *
 * Writes bench/results/soak-<date>.json and a chart (charts/soak-memory.svg/.png);
 * prints one JSON line. Load comes from two forked worker processes on 127.0.0.1.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { memoryChart } from './lib/charts.ts';
import { LoadPool } from './lib/load.ts';
import { startTarget } from './lib/targets.ts';

const quick = process.argv.includes('--quick');
const durationMs = quick ? 60_000 : 10 * 60_000;
const ROOMS = 50;
const CLIENTS_PER_ROOM = 10;
const RATE = 2;
const CHUNK_MS = 30_000;

const target = await startTarget('scrible-pg');
const pool = new LoadPool(2);
const samples: Array<{ minutes: number; measure: string; mib: number }> = [];
try {
  const rooms = await target.rooms(ROOMS, 'soak');
  const clients = rooms.flatMap((room, roomIndex) =>
    Array.from({ length: CLIENTS_PER_ROOM }, (_, i) => ({
      room,
      roomIndex,
      token: target.token(roomIndex * CLIENTS_PER_ROOM + i),
      role: i === 0 ? ('writer' as const) : ('reader' as const),
    })),
  );
  const opened = await pool.open(target.wsUrl, target.protocol, clients);
  const started = performance.now();
  const sample = () =>
    samples.push({ minutes: (performance.now() - started) / 60_000, measure: 'server RSS', mib: target.rss() / 2 ** 20 });
  sample();
  const sampler = setInterval(sample, 5_000);
  let lost = 0;
  let delivered = 0;
  for (let phase = 0; performance.now() - started < durationMs; phase++) {
    const chunk = Math.min(CHUNK_MS, durationMs - (performance.now() - started));
    const report = await pool.collect(phase, await pool.write(phase, RATE, chunk));
    lost += report.lost;
    delivered += report.latencies.length;
  }
  clearInterval(sampler);
  sample();

  const window = (from: number, to: number) => {
    const inside = samples.filter((s) => s.minutes >= from * (durationMs / 60_000) && s.minutes <= to * (durationMs / 60_000));
    return inside.reduce((sum, s) => sum + s.mib, 0) / Math.max(1, inside.length);
  };
  const afterWarmup = window(0.2, 0.4);
  const end = window(0.8, 1);
  const result = {
    scenario: 'soak',
    quick,
    connections: opened.opened,
    minutes: durationMs / 60_000,
    updatesPerSecond: ROOMS * RATE,
    delivered,
    lost,
    rssMiB: { start: samples[0]!.mib, afterWarmup, end, max: Math.max(...samples.map((s) => s.mib)) },
    growth: end / afterWarmup - 1,
    flat: end / afterWarmup - 1 < 0.1,
  };
  const date = new Date().toISOString().slice(0, 10);
  mkdirSync('bench/results/charts', { recursive: true });
  writeFileSync(`bench/results/soak-${date}${quick ? '-quick' : ''}.json`, `${JSON.stringify({ ...result, samples }, null, 2)}\n`);
  await memoryChart(
    samples,
    `bench/results/charts/soak-memory${quick ? '-quick' : ''}`,
    `Scrible server memory, ${opened.opened} connections, ${result.minutes} min`,
  );
  console.log(JSON.stringify(result));
} finally {
  await pool.close();
  await target.stop();
}
