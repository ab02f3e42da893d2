/**
 * What PostgreSQL's side of the durable log does while a scenario runs, to split a
 * slow acknowledgement into its parts. The log's backends (application_name
 * `scrible-update-log`) are sampled in pg_stat_activity every few milliseconds (idle:
 * waiting for our next INSERT; active with no wait event: running or waiting for a
 * core; IO/LWLock waits: the WAL flush of a commit), and read from Linux's
 * /proc/<pid>/schedstat (time on a core, time runnable but waiting for one), with
 * pg_stat_wal's and pg_stat_database's counters for commits and WAL flushes.
 */
import { readFileSync } from 'node:fs';
import postgres from 'postgres';

export interface PgWaitReport {
  seconds: number;
  samples: number;
  /** Share of samples per state (`idle`, `active: on a core or runnable`, `active: IO:WALSync`, …). */
  states: Record<string, number>;
  /** Per second of wall time, summed over the log's backends (Linux only). */
  cpuMsPerSecond: number | undefined;
  runQueueMsPerSecond: number | undefined;
  commitsPerSecond: number;
  walFlushesPerSecond: number;
}

interface Counters {
  at: number;
  commits: number;
  walSyncs: number;
}

const APPLICATION = 'scrible-update-log';

export class PgWaits {
  private readonly sql: postgres.Sql;
  private readonly counts = new Map<string, number>();
  private samples = 0;
  private running = true;
  private sampling: Promise<void> | undefined;
  private readonly schedStart = new Map<number, [number, number]>();
  private start: Counters | undefined;

  constructor(databaseUrl: string) {
    this.sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  }

  async begin(intervalMs = 5): Promise<void> {
    this.start = await this.counters();
    this.sampling = this.loop(intervalMs);
  }

  async end(): Promise<PgWaitReport> {
    this.running = false;
    await this.sampling;
    const end = await this.counters();
    const start = this.start!;
    const seconds = (end.at - start.at) / 1000;
    let cpuNs = 0;
    let waitNs = 0;
    let linux = this.schedStart.size > 0;
    for (const [pid, [cpu, wait]] of this.schedStart) {
      const now = schedstat(pid);
      if (!now) {
        linux = false;
        continue;
      }
      cpuNs += now[0] - cpu;
      waitNs += now[1] - wait;
    }
    await this.sql.end();
    const states: Record<string, number> = {};
    for (const [state, count] of [...this.counts].sort((a, b) => b[1] - a[1]))
      states[state] = Math.round((count / this.samples) * 1000) / 1000;
    return {
      seconds,
      samples: this.samples,
      states,
      cpuMsPerSecond: linux ? Math.round(cpuNs / 1e6 / seconds) : undefined,
      runQueueMsPerSecond: linux ? Math.round(waitNs / 1e6 / seconds) : undefined,
      commitsPerSecond: Math.round((end.commits - start.commits) / seconds),
      walFlushesPerSecond: Math.round((end.walSyncs - start.walSyncs) / seconds),
    };
  }

  private async loop(intervalMs: number): Promise<void> {
    while (this.running) {
      const rows = await this.sql<{ pid: number; state: string; wait: string | null }[]>`
        SELECT pid, state, wait_event_type || ':' || wait_event AS wait
        FROM pg_stat_activity WHERE application_name = ${APPLICATION}`;
      for (const row of rows) {
        if (!this.schedStart.has(row.pid)) {
          const now = schedstat(row.pid);
          if (now) this.schedStart.set(row.pid, now);
        }
        const state = row.state === 'active' ? `active: ${row.wait ?? 'on a core or runnable'}` : row.state;
        this.counts.set(state, (this.counts.get(state) ?? 0) + 1);
        this.samples++;
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  private async counters(): Promise<Counters> {
    const [row] = await this.sql<{ commits: string; wal_syncs: string }[]>`
      SELECT (SELECT sum(xact_commit) FROM pg_stat_database) AS commits, (SELECT wal_sync FROM pg_stat_wal) AS wal_syncs`;
    return { at: performance.now(), commits: Number(row!.commits), walSyncs: Number(row!.wal_syncs) };
  }
}

/** [ns on a core, ns runnable waiting for one] of a process, or undefined off Linux. */
function schedstat(pid: number): [number, number] | undefined {
  try {
    const [cpu, wait] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ').map(Number);
    return [cpu!, wait!];
  } catch {
    return undefined;
  }
}

/** One line for a bench log. */
export function describePgWaits(report: PgWaitReport): string {
  const states = Object.entries(report.states)
    .map(([state, share]) => `${state} ${(share * 100).toFixed(1)}%`)
    .join(', ');
  const sched =
    report.cpuMsPerSecond === undefined
      ? ''
      : `; on a core ${report.cpuMsPerSecond} ms/s, waiting for a core ${report.runQueueMsPerSecond} ms/s`;
  return `update-log backends over ${report.seconds.toFixed(1)} s (${report.samples} samples): ${states}${sched}; ${report.commitsPerSecond} commits/s, ${report.walFlushesPerSecond} WAL flushes/s`;
}
