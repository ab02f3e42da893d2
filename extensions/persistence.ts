import { Database } from '@hocuspocus/extension-database';
import type { fetchPayload, onDestroyPayload, onStoreDocumentPayload, afterUnloadDocumentPayload } from '@hocuspocus/server';
import * as Y from 'yjs';
import type { DocumentSizes } from '../src/documents/document-sizes.ts';
import type { SnapshotStore } from '../src/documents/snapshot-store.ts';
import type { Logger } from '../src/log.ts';
import type { Metrics } from '../src/metrics.ts';

export interface PersistenceConfiguration {
  snapshots: SnapshotStore;
  sizes: DocumentSizes;
  metrics: Metrics;
  log: Logger;
  /** Snapshot versions kept per room; older ones are deleted after each store. @default 20 */
  keepVersions: number;
  /** First wait before retrying a failed store, doubled per failure. @default 100 (ms) */
  retryInitialDelayMs: number;
  /** Longest wait between retries while the database is away. @default 5000 (ms) */
  retryMaxDelayMs: number;
  /** Once the server is shutting down, give up after this many failed attempts. @default 5 */
  shutdownAttempts: number;
}

/**
 * Snapshot persistence on top of `@hocuspocus/extension-database`: loads a room's
 * newest snapshot and stores each debounced change as a new version.
 *
 * A failed store is retried with backoff inside the hook. That keeps Hocuspocus's
 * save mutex held, so the document cannot be unloaded before its last change is
 * stored, and each attempt encodes the document afresh, so a late success stores
 * everything that arrived meanwhile.
 */
export class Persistence extends Database {
  extensionName = 'scrible-persistence';
  // After auth (which must refuse before anything loads), before metrics/logging.
  priority = 50;
  private readonly options: PersistenceConfiguration;
  private stopping = false;

  constructor(configuration: Pick<PersistenceConfiguration, 'snapshots' | 'sizes' | 'metrics' | 'log'> & Partial<PersistenceConfiguration>) {
    super({});
    this.options = {
      keepVersions: 20,
      retryInitialDelayMs: 100,
      retryMaxDelayMs: 5_000,
      shutdownAttempts: 5,
      ...configuration,
    };
    this.configuration.fetch = (payload) => this.fetchLatest(payload);
  }

  private async fetchLatest({ documentName }: fetchPayload): Promise<Uint8Array | null> {
    const latest = await this.options.snapshots.latest(documentName);
    this.options.sizes.set(documentName, latest?.data.byteLength ?? 0);
    return latest?.data ?? null;
  }

  override async onStoreDocument({ documentName, document }: onStoreDocumentPayload): Promise<void> {
    const { snapshots, metrics, log, sizes } = this.options;
    let delay = this.options.retryInitialDelayMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const state = Y.encodeStateAsUpdate(document);
        const version = await snapshots.append(documentName, state, Y.encodeStateVector(document));
        sizes.set(documentName, state.byteLength);
        metrics.documentBytes.observe(state.byteLength);
        if (version === undefined) {
          // The room was deleted while loaded: nothing to keep.
          metrics.snapshotWrites.inc({ result: 'skipped' });
          log.info({ roomId: documentName }, 'room no longer exists; snapshot not stored');
          return;
        }
        metrics.snapshotWrites.inc({ result: 'ok' });
        await snapshots.prune(documentName, this.options.keepVersions).catch((error: unknown) => {
          log.warn({ err: error, roomId: documentName }, 'pruning old snapshots failed; will prune after the next store');
        });
        return;
      } catch (error) {
        metrics.snapshotWrites.inc({ result: 'error' });
        const givingUp = this.stopping && attempt >= this.options.shutdownAttempts;
        log[givingUp ? 'error' : 'warn'](
          { err: error, roomId: documentName, attempt, retryInMs: givingUp ? undefined : delay },
          givingUp ? 'snapshot store failed during shutdown; giving up' : 'snapshot store failed; retrying',
        );
        if (givingUp) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, this.options.retryMaxDelayMs);
      }
    }
  }

  async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload): Promise<void> {
    this.options.sizes.delete(documentName);
  }

  /** From now on, failing stores give up after a few attempts instead of retrying forever. */
  beginShutdown(): void {
    this.stopping = true;
  }

  async onDestroy(_payload: onDestroyPayload): Promise<void> {
    this.stopping = true;
  }
}
