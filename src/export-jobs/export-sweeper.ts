import type { Logger } from '../log.ts';
import type { ExportStore } from './export-store.ts';
import type { FileStore } from './file-store.ts';
import { PeriodicSweep } from '../scheduling/periodic-sweep.ts';

export interface ExportSweeperConfiguration {
  store: Pick<ExportStore, 'deleteExpired'>;
  files: Pick<FileStore, 'delete'>;
  log: Logger;
  /** EXPORT_RETENTION_HOURS: finished exports older than this are removed, rows and files. */
  retentionMs: number;
  /** How often to look (EXPORT_SWEEP_INTERVAL_MS). */
  intervalMs: number;
}

// Rows per statement: a long backlog is worked off in bounded steps.
const BATCH = 500;

/**
 * Removes expired exports: every instance sweeps on a timer, and the database hands
 * each expired row to exactly one of them, which then deletes its file. A file whose
 * deletion fails is logged and left (its row is gone, so it is never served again).
 */
export class ExportSweeper extends PeriodicSweep {
  private readonly configuration: ExportSweeperConfiguration;

  constructor(configuration: ExportSweeperConfiguration) {
    super(configuration.intervalMs);
    this.configuration = configuration;
  }

  protected async pass(): Promise<void> {
    const { store, files, log, retentionMs } = this.configuration;
    try {
      for (;;) {
        const expired = await store.deleteExpired(retentionMs, BATCH);
        for (const { id, fileKey } of expired) {
          if (!fileKey) continue;
          await files
            .delete(fileKey)
            .catch((error: unknown) => log.warn({ err: error, exportId: id }, 'deleting an expired export file failed'));
        }
        if (expired.length > 0) log.info({ exports: expired.length }, 'expired exports removed');
        if (expired.length < BATCH) return;
      }
    } catch (error) {
      log.warn({ err: error }, 'export retention sweep failed; next pass retries');
    }
  }
}
