import type { Logger } from '../log.ts';
import type { Board } from '../render/index.ts';
import type { Metrics } from '../metrics.ts';
import type { BoardSource } from './board-source.ts';
import type { ClaimedJob, ExportStore } from './export-store.ts';
import { fileKey, type FileStore } from './file-store.ts';
import { RenderError, type RenderPool } from './render-pool.ts';

/** Defaults of the timings: the EXPORT_* variables in src/config.ts. */
export interface ExportRunnerConfiguration {
  store: ExportStore;
  files: FileStore;
  boards: BoardSource;
  pool: RenderPool;
  metrics: Metrics;
  log: Logger;
  /** Base of `fileUrl`s. */
  publicUrl: () => string;
  /** Jobs this instance works at once. @default the pool's size */
  concurrency: number;
  /**
   * Look for jobs enqueued by other instances (or abandoned) this often. Jobs enqueued
   * here start at once without waiting for it, so an idle instance need not ask the
   * database every second (ms).
   */
  pollIntervalMs: number;
  /** A job `processing` longer than this is taken to be abandoned by a dead instance (ms). */
  staleAfterMs: number;
  /** Tries per job (crashes and passing storage failures count); then `failed`. */
  maxAttempts: number;
  /** On stop, wait this long for running jobs before giving them back (ms). */
  shutdownGraceMs: number;
  /** Called once a job is recorded completed or failed (webhook events). */
  onFinished?: (exportId: string) => void;
  /**
   * Readies a room's board for rendering: the asset store puts the room's pictures in
   * as `data:` URLs, since renderers never fetch anything.
   */
  prepareBoard?: PrepareBoard;
}

/** See {@link ExportRunnerConfiguration.prepareBoard}. */
export type PrepareBoard = (roomId: string, board: Board, options: { format: string; scale?: number }) => Promise<Board>;

/**
 * Works export jobs from the `exports` table: claims as many as it has free slots,
 * reads each room's board, renders it in the pool, stores the file and records the
 * outcome. It wakes on a timer (jobs from other instances) and at once on `kick()`
 * (jobs enqueued here).
 */
export class ExportRunner {
  private readonly configuration: ExportRunnerConfiguration;
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private again = false;
  private stopping = false;

  constructor(configuration: Omit<ExportRunnerConfiguration, 'concurrency'> & Partial<Pick<ExportRunnerConfiguration, 'concurrency'>>) {
    this.configuration = { concurrency: configuration.pool.size, ...configuration };
  }

  start(): void {
    this.timer = setInterval(() => this.kick(), this.configuration.pollIntervalMs);
    this.timer.unref();
    this.kick();
  }

  /** Looks for work now (coalesced: a kick during a look leads to one more look). */
  kick(): void {
    if (this.stopping) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
    void this.tick()
      .catch((error: unknown) => this.configuration.log.warn({ err: error }, 'export: looking for jobs failed; will retry'))
      .finally(() => {
        this.ticking = false;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Stops taking jobs, lets running ones finish for a grace period, then gives the rest back. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    const all = Promise.all(this.running);
    const grace = new Promise((resolve) => setTimeout(resolve, this.configuration.shutdownGraceMs).unref());
    await Promise.race([all, grace]);
    await this.configuration.pool.close();
    await all;
  }

  private async tick(): Promise<void> {
    const { store, metrics, staleAfterMs, maxAttempts, concurrency } = this.configuration;
    for (const abandoned of await store.failAbandoned(staleAfterMs, maxAttempts)) {
      metrics.exports.inc({ format: abandoned.format, status: 'failed' });
      this.configuration.log.warn({ exportId: abandoned.id }, 'export: abandoned too often; marked failed');
    }
    const jobs = await store.claim(concurrency - this.running.size, staleAfterMs, maxAttempts);
    for (const job of jobs) {
      const work = this.work(job).finally(() => {
        this.running.delete(work);
        this.kick();
      });
      this.running.add(work);
    }
  }

  private async work(job: ClaimedJob): Promise<void> {
    const { store, files, boards, pool, metrics, log } = this.configuration;
    const context = { exportId: job.id, roomId: job.roomId, format: job.format, attempt: job.attempts };
    const started = performance.now();
    try {
      const { version, ...renderOptions } = job.options;
      const { board: stored, source } = await boards.read(job.roomId, version);
      const { prepareBoard } = this.configuration;
      const board = prepareBoard
        ? await prepareBoard(job.roomId, stored, {
            format: job.format,
            ...(renderOptions.scale !== undefined ? { scale: renderOptions.scale } : {}),
          })
        : stored;
      const file = await pool.render(board, { format: job.format, ...renderOptions });
      for (const warning of file.warnings) log.warn({ ...context, ...warning.obj }, warning.msg);
      const key = fileKey(job.roomId, job.id, file.extension);
      await files.put(key, file.body, file.contentType);
      const fileUrl = `${this.configuration.publicUrl()}/api/exports/${job.id}/file`;
      if (!(await store.complete(job, { fileKey: key, fileUrl }))) {
        // The room was deleted meanwhile (its rows went with it), or the job was taken over.
        log.info(context, 'export: finished a job no longer held; discarding its file');
        await files.delete(key).catch(() => {});
        return;
      }
      metrics.exports.inc({ format: job.format, status: 'completed' });
      this.configuration.onFinished?.(job.id);
      log.info({ ...context, source, bytes: file.body.byteLength, ms: Math.round(performance.now() - started) }, 'export completed');
    } catch (error) {
      await this.failOrRetry(job, error, context);
    }
  }

  /** A bad board fails at once; anything else (database, storage, shutdown) is retried. */
  private async failOrRetry(job: ClaimedJob, error: unknown, context: Record<string, unknown>): Promise<void> {
    const { store, metrics, log, maxAttempts } = this.configuration;
    const message = error instanceof Error ? error.message : String(error);
    try {
      if (error instanceof RenderError || (!this.stopping && job.attempts >= maxAttempts)) {
        for (const warning of error instanceof RenderError ? error.warnings : []) log.warn({ ...context, ...warning.obj }, warning.msg);
        const readable = error instanceof RenderError ? message : `Export failed after ${job.attempts} attempts: ${message}`;
        if (await store.fail(job, readable)) {
          metrics.exports.inc({ format: job.format, status: 'failed' });
          this.configuration.onFinished?.(job.id);
        }
        log.warn({ ...context, err: message }, 'export failed');
      } else {
        await store.release(job);
        log.warn({ ...context, err: message }, this.stopping ? 'export: given back at shutdown' : 'export: attempt failed; will retry');
      }
    } catch (recordError) {
      // The job stays `processing`; after staleAfterMs any instance takes it again.
      log.error({ ...context, err: recordError }, 'export: could not record the outcome');
    }
  }
}
