/**
 * (c) Connections: N idle clients (connected, authenticated, synced) spread over 100
 * rooms. Server RSS per connection (RSS after - RSS before, over N) and connect rate.
 */
import type { ScenarioContext } from '../lib/context.ts';
import type { ClientSpec } from '../lib/load-worker.ts';
import { nowMicros } from '../lib/protocol.ts';
import { sleep } from '../lib/stats.ts';
import type { RunningTarget } from '../lib/targets.ts';

export interface ConnectionsRow {
  target: string;
  requested: number;
  reached: number;
  failures: number;
  sampleFailures: string[];
  connectSeconds: number;
  connectsPerSecond: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  rssPerConnectionKiB: number;
  /**
   * The server's CPU time per connection over the connecting phase (ms). Steadier than
   * the rate on a shared machine: it leaves out time the server waited for a core
   * (the database's processes and the load workers share it), though not the
   * database's own CPU, which the rate pays for.
   */
  serverCpuMsPerConnect: number;
  /** The connecting phase on the monotonic clock (µs), to cut a CPU profile to it. */
  windowMicros: [number, number];
}

/** Opens `count` idle clients against one running server (best run first, on a fresh server). */
export async function measureConnections(
  target: RunningTarget,
  ctx: ScenarioContext,
  count = ctx.quick ? 1_000 : 10_000,
): Promise<ConnectionsRow> {
  const { pool } = ctx;
  const roomCount = 100;
  const ids = await target.rooms(roomCount, 'idle');
  const clients: ClientSpec[] = Array.from({ length: count }, (_, i) => ({
    room: ids[i % roomCount]!,
    roomIndex: i % roomCount,
    token: target.token(100_000 + i),
    role: 'reader' as const,
  }));
  await sleep(500);
  const before = target.rss();
  try {
    const cpu0 = target.cpuSeconds();
    const window0 = nowMicros();
    const opened = await pool.open(target.wsUrl, target.protocol, clients, { concurrency: 64 });
    const window1 = nowMicros();
    const cpu = target.cpuSeconds() - cpu0;
    await sleep(ctx.quick ? 500 : 3000);
    const after = target.rss();
    const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
    const row: ConnectionsRow = {
      target: target.name,
      requested: count,
      reached: opened.opened,
      failures: opened.failures,
      sampleFailures: opened.sampleFailures,
      connectSeconds: Math.round(opened.ms) / 1000,
      connectsPerSecond: Math.round(opened.opened / (opened.ms / 1000)),
      rssBeforeMiB: mib(before),
      rssAfterMiB: mib(after),
      rssPerConnectionKiB: Math.round(((after - before) / Math.max(1, opened.opened) / 1024) * 10) / 10,
      serverCpuMsPerConnect: Math.round((cpu / Math.max(1, opened.opened)) * 1e6) / 1000,
      windowMicros: [window0, window1],
    };
    ctx.log(
      `connections ${row.target}: ${row.reached}/${count} in ${row.connectSeconds}s (${row.connectsPerSecond}/s, ${row.serverCpuMsPerConnect} ms server CPU each), ${row.rssPerConnectionKiB} KiB RSS each${row.failures ? `, failures e.g. ${row.sampleFailures[0]}` : ''}`,
    );
    return row;
  } finally {
    await pool.reset();
  }
}
