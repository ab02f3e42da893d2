import type { FileStore } from '../export-jobs/file-store.ts';
import type { Logger } from '../log.ts';
import { referencedAssets, type ReferenceSources } from './asset-references.ts';
import { assetFolder } from './asset-service.ts';
import type { AssetStore } from './asset-store.ts';
import { PeriodicSweep } from '../scheduling/periodic-sweep.ts';

export interface AssetCollectorConfiguration {
  store: AssetStore;
  files: Pick<FileStore, 'deleteFolder'>;
  references: ReferenceSources;
  log: Logger;
  /** ASSET_GC_GRACE_SECONDS: how long an asset stays after the last kept version stopped referencing it. */
  graceMs: number;
  /** ASSET_GC_INTERVAL_SECONDS: how often to look. */
  intervalMs: number;
}

// Rooms per query: a long backlog is worked off in bounded steps.
const BATCH = 100;

/**
 * Deletes assets no kept version of their board references any more, once that has
 * been so for the grace period. Every instance sweeps on a timer; a room is looked at
 * when it changed since its assets were last checked, and is settled under its asset
 * lock, which one instance holds at a time (the others skip the room).
 */
export class AssetCollector extends PeriodicSweep {
  private readonly configuration: AssetCollectorConfiguration;

  constructor(configuration: AssetCollectorConfiguration) {
    super(configuration.intervalMs);
    this.configuration = configuration;
  }

  protected async pass(): Promise<void> {
    const { store, log, graceMs } = this.configuration;
    const seen = new Set<string>();
    try {
      for (;;) {
        // Rooms skipped (locked elsewhere, unreadable) come back in the query: visit each once a pass.
        const rooms = (await store.roomsToCheck(graceMs, BATCH + seen.size)).filter((roomId) => !seen.has(roomId));
        for (const roomId of rooms) {
          seen.add(roomId);
          await this.collectRoom(roomId).catch((error: unknown) =>
            log.warn({ err: error, roomId }, 'asset collection failed for a room; next pass retries'),
          );
        }
        if (rooms.length === 0) return;
      }
    } catch (error) {
      log.warn({ err: error }, 'asset collection sweep failed; next pass retries');
    }
  }

  private async collectRoom(roomId: string): Promise<void> {
    const { store, files, references, log, graceMs } = this.configuration;
    const readAt = await store.now();
    const ids = await store.ids(roomId);
    if (ids.length === 0) return;
    const referenced = await referencedAssets(references, roomId, ids);
    if (!referenced) return;
    const deleted = await store.settle(roomId, [...referenced], readAt, graceMs, (id) => files.deleteFolder(assetFolder(roomId, id)));
    if (deleted && deleted.length > 0) log.info({ roomId, assets: deleted.length }, 'unreferenced assets deleted');
  }
}
