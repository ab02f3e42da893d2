/**
 * (a) Fan-out: 100 rooms x 10 clients, one writer per room at 10 updates/s. Delivery
 * latency p50/p95/p99, lost and duplicated deliveries, and the server's CPU time per
 * delivery (the figure least disturbed by other processes on a shared machine).
 */
import type { ScenarioContext } from '../lib/context.ts';
import type { ClientSpec } from '../lib/load-worker.ts';
import { nowMicros } from '../lib/protocol.ts';
import { cdf, sleep, summarize, type Summary } from '../lib/stats.ts';
import { readWriteSyscalls, type RunningTarget } from '../lib/targets.ts';

export interface FanOutRow {
  target: string;
  rooms: number;
  clientsPerRoom: number;
  ratePerWriter: number;
  seconds: number;
  latencyMs: Summary;
  /** Writer's update until the server's sync-status ack (Hocuspocus protocol only). */
  ackMs: Summary;
  sent: number;
  delivered: number;
  lost: number;
  duplicated: number;
  deliveriesPerSecond: number;
  serverCpuPercent: number;
  serverCpuMicrosPerDelivery: number;
  /** The server's write system calls per delivery: each costs a kernel round trip. */
  serverWritesPerDelivery: number;
  clientCpuPercent: number;
  cdf: Array<{ ms: number; fraction: number }>;
  /** The measured phase on the monotonic clock (µs), to cut a CPU profile to it. */
  windowMicros: [number, number];
}

export interface FanOutOptions {
  rooms?: number;
  clientsPerRoom?: number;
  rate?: number;
  seconds?: number;
  compression?: boolean;
}

/** Runs the fan-out load against one running server. */
export async function measureFanOut(target: RunningTarget, ctx: ScenarioContext, options: FanOutOptions = {}): Promise<FanOutRow> {
  const rooms = options.rooms ?? 100;
  const perRoom = options.clientsPerRoom ?? 10;
  const rate = options.rate ?? 10;
  const seconds = options.seconds ?? (ctx.quick ? 2 : 15);
  const { pool } = ctx;
  const ids = await target.rooms(rooms, 'fanout');
  const clients: ClientSpec[] = [];
  ids.forEach((room, roomIndex) => {
    for (let k = 0; k < perRoom; k++)
      clients.push({ room, roomIndex, token: target.token(roomIndex * perRoom + k), role: k === 0 ? 'writer' : 'reader' });
  });
  try {
    const opened = await pool.open(target.wsUrl, target.protocol, clients, { compression: options.compression });
    if (opened.failures) throw new Error(`${target.name}: ${opened.failures} clients failed to open: ${opened.sampleFailures.join('; ')}`);
    // Warm-up (JIT, first broadcasts), not measured.
    await pool.collect(0, await pool.write(0, rate, ctx.quick ? 500 : 2000));
    await sleep(300);
    const cpu0 = target.cpuSeconds();
    const writes0 = readWriteSyscalls(target.pid);
    const client0 = await pool.clientCpuSeconds();
    const wall0 = performance.now();
    const window0 = nowMicros();
    const sent = await pool.write(1, rate, seconds * 1000);
    const window1 = nowMicros();
    await sleep(ctx.quick ? 500 : 1000);
    const cpu1 = target.cpuSeconds();
    const writes1 = readWriteSyscalls(target.pid);
    const wall = (performance.now() - wall0) / 1000;
    const report = await pool.collect(1, sent);
    const totalSent = Object.values(sent).reduce((a, b) => a + b, 0);
    const delivered = Object.values(report.delivered).reduce((a, b) => a + b, 0);
    const row: FanOutRow = {
      target: target.name,
      rooms,
      clientsPerRoom: perRoom,
      ratePerWriter: rate,
      seconds,
      latencyMs: summarize(report.latencies),
      ackMs: summarize(report.ackLatencies),
      sent: totalSent,
      delivered,
      lost: report.lost,
      duplicated: report.duplicated,
      deliveriesPerSecond: Math.round(delivered / seconds),
      serverCpuPercent: Math.round(((cpu1 - cpu0) / wall) * 1000) / 10,
      serverCpuMicrosPerDelivery: Math.round((((cpu1 - cpu0) * 1e6) / Math.max(1, delivered)) * 10) / 10,
      serverWritesPerDelivery: Math.round(((writes1 - writes0) / Math.max(1, delivered)) * 100) / 100,
      clientCpuPercent: Math.round(((report.clientCpuSeconds - client0) / wall) * 1000) / 10,
      cdf: cdf(report.latencies),
      windowMicros: [window0, window1],
    };
    ctx.log(
      `fan-out ${row.target}: p50 ${row.latencyMs.p50} p95 ${row.latencyMs.p95} p99 ${row.latencyMs.p99} ms, lost ${row.lost}, dup ${row.duplicated}, server CPU ${row.serverCpuPercent}% (${row.serverCpuMicrosPerDelivery} µs/delivery, ${row.serverWritesPerDelivery} writes/delivery), clients ${row.clientCpuPercent}%`,
    );
    return row;
  } finally {
    await pool.reset();
  }
}
