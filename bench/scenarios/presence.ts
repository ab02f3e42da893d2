/**
 * (f) Presence at scale: one room of 200 clients, one of them drawing (10 marked
 * updates/s), first without presence, then with every client moving its cursor once a
 * second (an awareness update each, which the server sends to the 199 others: about
 * 40,000 frames/s). Reports the server's CPU per second in each phase and the drawing's
 * delivery p50/p99 in each: presence must cost no more than bare Hocuspocus pays for
 * it, and must not delay the drawing.
 */
import type { ScenarioContext } from '../lib/context.ts';
import type { ClientSpec } from '../lib/load-worker.ts';
import { nowMicros } from '../lib/protocol.ts';
import { sleep, summarize, type Summary } from '../lib/stats.ts';
import type { RunningTarget } from '../lib/targets.ts';

export interface PresencePhase {
  latencyMs: Summary;
  /** Cursor states the clients received per second (200 clients at 1 Hz, each to 199 others: 39,800). */
  awarenessDeliveriesPerSecond: number;
  lost: number;
  serverCpuPercent: number;
  /** The two load workers' CPU (100% = one core): past ~90% the clients, not the server, delay deliveries. */
  clientCpuPercent: number;
  /** The phase on the monotonic clock (µs), to cut a CPU profile to it. */
  windowMicros: [number, number];
}

export interface PresenceRow {
  target: string;
  clients: number;
  awarenessPerSecond: number;
  /** The drawing alone. */
  quiet: PresencePhase;
  /** The drawing while every client sends awareness. */
  busy: PresencePhase;
}

export async function measurePresence(target: RunningTarget, ctx: ScenarioContext, clientsInRoom = 200): Promise<PresenceRow> {
  const { pool } = ctx;
  const seconds = ctx.quick ? 3 : 10;
  const awarenessPerSecond = 1;
  const [room] = await target.rooms(1, 'presence');
  const clients: ClientSpec[] = Array.from({ length: clientsInRoom }, (_, k) => ({
    room: room!,
    roomIndex: 0,
    token: target.token(50_000 + k),
    role: k === 0 ? ('writer' as const) : ('reader' as const),
    worker: k,
  }));
  const phase = async (number: number, awarenessRate: number): Promise<PresencePhase> => {
    const cpu0 = target.cpuSeconds();
    const client0 = await pool.clientCpuSeconds();
    const wall0 = performance.now();
    const window0 = nowMicros();
    const sent = await pool.write(number, 10, seconds * 1000, 200, awarenessRate);
    const window1 = nowMicros();
    const cpu = target.cpuSeconds() - cpu0;
    const wall = (performance.now() - wall0) / 1000;
    await sleep(500);
    const report = await pool.collect(number, sent);
    return {
      latencyMs: summarize(report.latencies),
      awarenessDeliveriesPerSecond: Math.round(report.awarenessReceived / seconds),
      lost: report.lost,
      serverCpuPercent: Math.round((cpu / wall) * 1000) / 10,
      clientCpuPercent: Math.round(((report.clientCpuSeconds - client0) / wall) * 1000) / 10,
      windowMicros: [window0, window1],
    };
  };
  try {
    const opened = await pool.open(target.wsUrl, target.protocol, clients);
    if (opened.failures) throw new Error(`${target.name}: ${opened.failures} clients failed to open: ${opened.sampleFailures.join('; ')}`);
    // Warm-ups (JIT; then every client's first awareness state), not measured. The
    // drawing alone is measured first: a backlog of cursors must not land in it.
    await pool.collect(39, await pool.write(39, 10, ctx.quick ? 1000 : 3000));
    await sleep(500);
    const quiet = await phase(41, 0);
    await pool.collect(40, await pool.write(40, 10, ctx.quick ? 1000 : 3000, 200, awarenessPerSecond));
    await sleep(500);
    const busy = await phase(42, awarenessPerSecond);
    const row: PresenceRow = { target: target.name, clients: clientsInRoom, awarenessPerSecond, quiet, busy };
    ctx.log(
      `presence ${row.target} (${clientsInRoom} clients, cursors at ${awarenessPerSecond} Hz): server CPU ${quiet.serverCpuPercent}% → ${busy.serverCpuPercent}%, drawing p50/p99 ${quiet.latencyMs.p50}/${quiet.latencyMs.p99} → ${busy.latencyMs.p50}/${busy.latencyMs.p99} ms, lost ${quiet.lost + busy.lost}, cursor states delivered ${busy.awarenessDeliveriesPerSecond}/s, clients' CPU ${quiet.clientCpuPercent}% → ${busy.clientCpuPercent}%`,
    );
    return row;
  } finally {
    await pool.reset();
  }
}
