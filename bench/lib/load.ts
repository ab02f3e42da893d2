/**
 * The runner's side of the load generators: forks worker processes, deals rooms out
 * to them (a room's writer and readers stay in one worker), and merges their reports.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ClientSpec, PhaseReport, WorkerCommand } from './load-worker.ts';
import type { Protocol } from './protocol.ts';

const WORKER = fileURLToPath(new URL('./load-worker.ts', import.meta.url));

export interface MergedReport extends PhaseReport {
  sent: Record<number, number>;
  /** Distinct deliveries that never arrived: sum over rooms of sent x readers - delivered. */
  lost: number;
  duplicated: number;
  /** CPU seconds the load workers used so far (to see when clients, not the server, saturate). */
  clientCpuSeconds: number;
}

export class LoadPool {
  private readonly workers: ChildProcess[] = [];
  private readonly writerWorkers = new Set<number>();

  constructor(count: number) {
    for (let i = 0; i < count; i++) {
      this.workers.push(fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' }));
    }
  }

  private request<T>(worker: ChildProcess, command: WorkerCommand, answer: string, timeoutMs = 120_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`load worker: no ${answer} within ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (message: { cmd: string }) => {
        if (message.cmd !== answer) return;
        clearTimeout(timer);
        worker.off('message', onMessage);
        resolve(message as T);
      };
      worker.on('message', onMessage);
      worker.send(command);
    });
  }

  /** Opens every client; rooms are dealt round-robin to workers. Resolves with the time taken. */
  async open(url: string, protocol: Protocol, clients: ClientSpec[], options: { concurrency?: number; compression?: boolean } = {}) {
    const perWorker: ClientSpec[][] = this.workers.map(() => []);
    for (const client of clients) {
      const w = (client.worker ?? client.roomIndex) % this.workers.length;
      perWorker[w]!.push(client);
      if (client.role === 'writer') this.writerWorkers.add(w);
    }
    const started = performance.now();
    const answers = await Promise.all(
      this.workers.map((worker, i) =>
        this.request<{ opened: number; failureCount: number; failures: string[] }>(
          worker,
          {
            cmd: 'open',
            url,
            protocol,
            clients: perWorker[i]!,
            concurrency: options.concurrency ?? 64,
            compression: options.compression ?? false,
          },
          'opened',
          180_000,
        ),
      ),
    );
    return {
      ms: performance.now() - started,
      opened: answers.reduce((n, a) => n + a.opened, 0),
      failures: answers.reduce((n, a) => n + a.failureCount, 0),
      sampleFailures: answers.flatMap((a) => a.failures).slice(0, 5),
    };
  }

  /**
   * Every writer sends `rate` updates/s for `durationMs`; resolves with the updates sent
   * per room. Writers send `rate` marked updates/s; with `awarenessRate`, every client (all workers) also
   * moves its cursor that often.
   */
  async write(phase: number, rate: number, durationMs: number, payloadBytes = 200, awarenessRate = 0): Promise<Record<number, number>> {
    const answers = await Promise.all(
      [...(awarenessRate > 0 ? this.workers.keys() : this.writerWorkers)].map((w) =>
        this.request<{ sent: Record<number, number> }>(
          this.workers[w]!,
          { cmd: 'write', phase, rate, durationMs, payloadBytes, awarenessRate },
          'written',
          durationMs + 60_000,
        ),
      ),
    );
    return Object.assign({}, ...answers.map((a) => a.sent));
  }

  async collect(phase: number, sent: Record<number, number>): Promise<MergedReport> {
    const answers = await Promise.all(
      this.workers.map((worker) =>
        this.request<{ report: PhaseReport; cpu: NodeJS.CpuUsage }>(worker, { cmd: 'collect', phase }, 'collected'),
      ),
    );
    const merged: MergedReport = {
      latencies: [],
      ackLatencies: [],
      awarenessReceived: 0,
      delivered: {},
      duplicates: {},
      readers: {},
      sent,
      lost: 0,
      duplicated: 0,
      clientCpuSeconds: 0,
    };
    for (const { report, cpu } of answers) {
      for (const l of report.latencies) merged.latencies.push(l);
      for (const l of report.ackLatencies) merged.ackLatencies.push(l);
      merged.awarenessReceived += report.awarenessReceived;
      for (const key of ['delivered', 'duplicates', 'readers'] as const) {
        for (const [room, n] of Object.entries(report[key])) merged[key][Number(room)] = (merged[key][Number(room)] ?? 0) + n;
      }
      merged.clientCpuSeconds += (cpu.user + cpu.system) / 1e6;
    }
    for (const [room, readers] of Object.entries(merged.readers)) {
      const expected = (sent[Number(room)] ?? 0) * readers;
      merged.lost += Math.max(0, expected - (merged.delivered[Number(room)] ?? 0));
      merged.duplicated += merged.duplicates[Number(room)] ?? 0;
    }
    return merged;
  }

  /** Closes every client, keeping the worker processes for the next scenario. */
  async reset(): Promise<void> {
    this.writerWorkers.clear();
    await Promise.all(this.workers.map((worker) => this.request(worker, { cmd: 'reset' }, 'reset-done')));
  }

  /** CPU seconds used by the workers so far. */
  async clientCpuSeconds(): Promise<number> {
    const report = await this.collect(-1, {});
    return report.clientCpuSeconds;
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.exitCode !== null) return resolve();
            const timer = setTimeout(() => worker.kill('SIGKILL'), 5_000);
            worker.once('exit', () => (clearTimeout(timer), resolve()));
            worker.send({ cmd: 'close' } satisfies WorkerCommand);
          }),
      ),
    );
  }
}
