import { availableParallelism } from 'node:os';
import type { Hocuspocus } from '@hocuspocus/server';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { Webhooks } from '../webhooks/index.ts';
import { BoardSource } from './board-source.ts';
import { ExportRunner, type ExportRunnerConfiguration, type PrepareBoard } from './export-runner.ts';
import { ExportStore, toExportView } from './export-store.ts';
import { createFileStore } from './create-file-store.ts';
import { ExportSweeper } from './export-sweeper.ts';
import type { FileStore } from './file-store.ts';
import { RenderPool, type RenderPoolConfiguration } from './render-pool.ts';

export { EXPORT_FORMATS, ExportStore, toExportView, type ExportView } from './export-store.ts';
export type { FileStore } from './file-store.ts';

/** Tuning of the export jobs of one instance (tests and benchmarks override these). */
export type ExportsTuning = Partial<
  Pick<ExportRunnerConfiguration, 'pollIntervalMs' | 'staleAfterMs' | 'maxAttempts' | 'shutdownGraceMs'>
> &
  Partial<RenderPoolConfiguration> & {
    /** How often expired exports are looked for (default: hourly). */
    sweepIntervalMs?: number;
  };

/** The export jobs of one instance: the queue, the file store and the runner. */
export interface Exports {
  store: ExportStore;
  files: FileStore;
  /** Render threads at most (= jobs worked at once by this instance). */
  readonly poolSize: number;
  /** Call after enqueuing, so this instance starts at once rather than at the next poll. */
  kick(): void;
  start(): void;
  /** Stops the runner and its workers, then closes the file store. */
  stop(): Promise<void>;
}

/**
 * Wires the export jobs: one render thread per spare core (at least one, at most
 * four), so rendering never competes with the event loop for the last core.
 */
export function createExports(deps: {
  config: Pick<Config, 's3' | 'dataDir' | 'exportRetentionMs'>;
  db: Db;
  hocuspocus: Hocuspocus;
  metrics: Metrics;
  log: Logger;
  publicUrl: () => string;
  tuning?: ExportsTuning;
  /** Announces finished jobs as `export.completed` / `export.failed`. */
  webhooks?: Pick<Webhooks, 'emit'>;
  /** Puts the room's pictures into the board before it is rendered (the asset store). */
  prepareBoard?: PrepareBoard;
}): Exports {
  const { tuning = {} } = deps;
  const log = deps.log.child({ component: 'exports' });
  const store = new ExportStore(deps.db);
  const files = createFileStore(deps.config);
  const pool = new RenderPool({
    size: tuning.size ?? Math.max(1, Math.min(4, availableParallelism() - 1)),
    ...(tuning.timeoutMs !== undefined ? { timeoutMs: tuning.timeoutMs } : {}),
    ...(tuning.nice !== undefined ? { nice: tuning.nice } : {}),
  });
  const runner = new ExportRunner({
    store,
    files,
    pool,
    boards: new BoardSource({ hocuspocus: deps.hocuspocus, db: deps.db, log }),
    metrics: deps.metrics,
    log,
    publicUrl: deps.publicUrl,
    ...(deps.prepareBoard ? { prepareBoard: deps.prepareBoard } : {}),
    onFinished: (exportId) => {
      const { webhooks } = deps;
      if (!webhooks) return;
      store
        .get(exportId)
        .then((row) => {
          if (row?.roomId && (row.status === 'completed' || row.status === 'failed')) {
            return webhooks.emit(row.roomId, row.status === 'completed' ? 'export.completed' : 'export.failed', toExportView(row));
          }
        })
        .catch((error: unknown) => log.warn({ err: error, exportId }, 'export: queuing its webhook event failed'));
    },
    ...withoutUndefined({
      pollIntervalMs: tuning.pollIntervalMs,
      staleAfterMs: tuning.staleAfterMs,
      maxAttempts: tuning.maxAttempts,
      shutdownGraceMs: tuning.shutdownGraceMs,
    }),
  });
  const sweeper = new ExportSweeper({
    store,
    files,
    log,
    retentionMs: deps.config.exportRetentionMs,
    ...(tuning.sweepIntervalMs !== undefined ? { intervalMs: tuning.sweepIntervalMs } : {}),
  });
  return {
    store,
    files,
    poolSize: pool.size,
    kick: () => runner.kick(),
    start: () => {
      runner.start();
      sweeper.start();
    },
    stop: async () => {
      await sweeper.stop();
      await runner.stop();
      await files.close();
    },
  };
}

function withoutUndefined<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
