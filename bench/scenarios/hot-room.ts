/**
 * (b) Hot room: one writer, N readers in one room. The writer's rate doubles each
 * step until p99 delivery latency passes 50 ms (or a delivery is missing once the
 * step has drained); the last passing rate is the maximum sustained rate, refined by
 * one step between the last pass and the first failure.
 *
 * A failed step is run once more before it ends the ladder, for every target alike:
 * a 2 s step's p99 is its 1 % slowest deliveries, and on a shared 2-core machine one
 * pause of the host (or of a load worker) fails a step far below the server's limit
 * (bare Hocuspocus failed its 200/s step once at 136 ms with the server at ~20 % CPU).
 * A rate fails when both runs fail; both are kept in `steps` (the first `retried`).
 */
import type { ScenarioContext } from '../lib/context.ts';
import { nowMicros } from '../lib/protocol.ts';
import type { ClientSpec } from '../lib/load-worker.ts';
import { sleep, summarize, type Summary } from '../lib/stats.ts';
import type { RunningTarget } from '../lib/targets.ts';

export const P99_LIMIT_MS = 50;

export interface HotRoomStep {
  rate: number;
  latencyMs: Summary;
  lost: number;
  duplicated: number;
  serverCpuPercent: number;
  passed: boolean;
  /** This failure was run again (the next step is the re-run). */
  retried?: boolean;
  /** The step's writing phase on the monotonic clock (µs), to cut a CPU profile to it. */
  windowMicros: [number, number];
}

export interface HotRoomRow {
  target: string;
  readers: number;
  /** Highest writer rate (updates/s) whose p99 stayed within 50 ms with nothing lost. */
  maxSustainedRate: number;
  /** maxSustainedRate x readers. */
  maxDeliveriesPerSecond: number;
  steps: HotRoomStep[];
}

export interface HotRoomOptions {
  readers?: number;
  compression?: boolean;
  /** The ladder's rates (bench/profile.ts runs one fixed rate to compare servers at it). */
  rates?: number[];
  /** Run a failed step once more before it ends the ladder. @default true */
  confirmFailures?: boolean;
}

/** Sweeps the writer rate against one running server. */
export async function measureHotRoom(target: RunningTarget, ctx: ScenarioContext, options: HotRoomOptions = {}): Promise<HotRoomRow> {
  const readers = options.readers ?? 200;
  const stepMs = ctx.quick ? 700 : 2000;
  const rates = options.rates ?? (ctx.quick ? [50, 200, 800, 3200] : [25, 50, 100, 200, 400, 800, 1600, 3200, 6400]);
  const { pool } = ctx;
  const [room] = await target.rooms(1, 'hot');
  const clients: ClientSpec[] = [{ room: room!, roomIndex: 0, token: target.token(0), role: 'writer', worker: 0 }];
  for (let k = 1; k <= readers; k++) clients.push({ room: room!, roomIndex: 0, token: target.token(k), role: 'reader', worker: k });
  const steps: HotRoomStep[] = [];
  let phase = 10;
  const step = async (rate: number): Promise<HotRoomStep> => {
    const cpu0 = target.cpuSeconds();
    const wall0 = performance.now();
    const window0 = nowMicros();
    const sent = await pool.write(++phase, rate, stepMs);
    const windowMicros: [number, number] = [window0, nowMicros()];
    await sleep(300);
    const cpu = target.cpuSeconds() - cpu0;
    const report = await pool.collect(phase, sent);
    const latencyMs = summarize(report.latencies);
    const result = {
      rate,
      latencyMs,
      lost: report.lost,
      duplicated: report.duplicated,
      serverCpuPercent: Math.round((cpu / ((performance.now() - wall0) / 1000)) * 1000) / 10,
      passed: latencyMs.p99 <= P99_LIMIT_MS && report.lost === 0,
      windowMicros,
    } satisfies HotRoomStep;
    steps.push(result);
    // Let a backlog from a failed step clear before the next one.
    if (!result.passed) await sleep(1000);
    return result;
  };
  try {
    const opened = await pool.open(target.wsUrl, target.protocol, clients, { compression: options.compression });
    if (opened.failures) throw new Error(`${target.name}: ${opened.failures} clients failed to open: ${opened.sampleFailures.join('; ')}`);
    await pool.collect(0, await pool.write(0, 20, 500));
    let best = 0;
    let failedAt = 0;
    const confirmed = async (rate: number): Promise<boolean> => {
      const first = await step(rate);
      if (first.passed || options.confirmFailures === false) return first.passed;
      first.retried = true;
      return (await step(rate)).passed;
    };
    for (const rate of rates) {
      if (await confirmed(rate)) best = rate;
      else {
        failedAt = rate;
        break;
      }
    }
    if (failedAt && best) {
      const middle = Math.round(Math.sqrt(best * failedAt));
      if (await confirmed(middle)) best = middle;
    }
    const row: HotRoomRow = { target: target.name, readers, maxSustainedRate: best, maxDeliveriesPerSecond: best * readers, steps };
    ctx.log(
      `hot room ${row.target} (${readers} readers): max ${best} updates/s = ${row.maxDeliveriesPerSecond} deliveries/s; steps ${steps.map((s) => `${s.rate}:${s.latencyMs.p99}ms${s.lost ? `/lost ${s.lost}` : ''}${s.retried ? '(again)' : ''}`).join(' ')}`,
    );
    return row;
  } finally {
    await pool.reset();
  }
}
