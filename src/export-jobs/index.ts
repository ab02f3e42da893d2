import type { Hocuspocus } from '@hocuspocus/server';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { Webhooks } from '../webhooks/index.ts';
import { SnapshotStore } from '../documents/snapshot-store.ts';
import { BoardSource } from './board-source.ts';
import { ExportRunner, type PrepareBoard } from './export-runner.ts';
import { ExportStore, toExportView } from './export-store.ts';
import { createFileStore } from './create-file-store.ts';
import { ExportSweeper } from './export-sweeper.ts';
import type { FileStore } from './file-store.ts';
import { RenderPool } from './render-pool.ts';
import { Thumbnails } from './thumbnails.ts';

export { EXPORT_FORMATS, ExportStore, toExportView, type ExportView } from './export-store.ts';
export type { FileStore } from './file-store.ts';
export { type Thumbnail, Thumbnails, thumbnailKey, versionPreviewKey } from './thumbnails.ts';

/** The export jobs of one instance: the queue, the file store and the runner. */
export interface Exports {
  store: ExportStore;
  files: FileStore;
  /** Room thumbnails, rendered in the same pool and kept in the same file store. */
  thumbnails: Thumbnails;
  /** Render threads at most (= jobs worked at once by this instance). */
  readonly poolSize: number;
  /** Call after enqueuing, so this instance starts at once rather than at the next poll. */
  kick(): void;
  start(): void;
  /** Stops the runner and its workers, then closes the file store. */
  stop(): Promise<void>;
}

/**
 * Wires the export jobs: `config.exportJobs.renderThreads` render threads (by default
 * one per spare core, at most four), so rendering never competes with the event loop
 * for the last core.
 */
export function createExports(deps: {
  config: Pick<Config, 's3' | 'dataDir' | 'exportRetentionMs' | 'exportJobs'>;
  db: Db;
  hocuspocus: Hocuspocus;
  metrics: Metrics;
  log: Logger;
  publicUrl: () => string;
  /** Announces finished jobs as `export.completed` / `export.failed`. */
  webhooks?: Pick<Webhooks, 'emit'>;
  /** Whether a room exists (thumbnails of deleted rooms are not kept). */
  roomExists: (roomId: string) => Promise<boolean>;
  /** Puts the room's pictures into the board before it is rendered (the asset store). */
  prepareBoard?: PrepareBoard;
}): Exports {
  const tuning = deps.config.exportJobs;
  const log = deps.log.child({ component: 'exports' });
  const store = new ExportStore(deps.db);
  const files = createFileStore(deps.config);
  const pool = new RenderPool({ size: tuning.renderThreads, timeoutMs: tuning.renderTimeoutMs, nice: tuning.renderNice });
  const snapshots = new SnapshotStore(deps.db);
  const boards = new BoardSource({ hocuspocus: deps.hocuspocus, db: deps.db, log });
  const thumbnails = new Thumbnails({
    boards,
    pool,
    files,
    log: deps.log.child({ component: 'thumbnails' }),
    roomExists: deps.roomExists,
    storedVersions: async (roomId) => (await snapshots.list(roomId)).map((stored) => stored.version),
    ...(deps.prepareBoard ? { prepareBoard: deps.prepareBoard } : {}),
  });
  const runner = new ExportRunner({
    store,
    files,
    pool,
    boards,
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
    pollIntervalMs: tuning.pollIntervalMs,
    staleAfterMs: tuning.staleAfterMs,
    maxAttempts: tuning.maxAttempts,
    shutdownGraceMs: tuning.shutdownGraceMs,
  });
  const sweeper = new ExportSweeper({
    store,
    files,
    log,
    retentionMs: deps.config.exportRetentionMs,
    intervalMs: tuning.sweepIntervalMs,
  });
  return {
    store,
    files,
    thumbnails,
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
