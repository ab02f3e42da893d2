import type {
  Extension,
  afterUnloadDocumentPayload,
  onDestroyPayload,
  onLoadDocumentPayload,
  onStoreDocumentPayload,
} from '@hocuspocus/server';
import * as Y from 'yjs';
import type { DocumentSizes } from '../src/documents/document-sizes.ts';
import type { LoggedSeqs } from '../src/documents/logged-seqs.ts';
import { applyStoredRoom } from '../src/documents/stored-room.ts';
import type { SnapshotStore } from '../src/documents/snapshot-store.ts';
import type { UpdateLog } from '../src/documents/update-log.ts';
import type { Logger } from '../src/log.ts';
import type { Metrics } from '../src/metrics.ts';

export interface PersistenceConfiguration {
  snapshots: SnapshotStore;
  /** The durable update log, replayed on load and compacted after each snapshot. */
  updates: UpdateLog;
  logged: LoggedSeqs;
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
 * Persistence with the shape of `@hocuspocus/extension-database` (onLoadDocument,
 * onStoreDocument), written out because that extension's single `fetch`/`store`
 * pair can neither replay a log row by row nor retry a failed store: loads a room as
 * its newest snapshot plus the durable update log, stores each debounced change as a
 * new version, and then deletes the log rows that version covers (compaction).
 *
 * A failed store is retried with backoff inside the hook. That keeps Hocuspocus's
 * save mutex held, so the document cannot be unloaded before its last change is
 * stored, and each attempt encodes the document afresh, so a late success stores
 * everything that arrived meanwhile.
 */
export class Persistence implements Extension {
  extensionName = 'scrible-persistence';
  // After auth (which must refuse before anything loads), before metrics/logging.
  priority = 50;
  private readonly options: PersistenceConfiguration;
  private stopping = false;

  constructor(
    configuration: Pick<PersistenceConfiguration, 'snapshots' | 'updates' | 'logged' | 'sizes' | 'metrics' | 'log'> &
      Partial<PersistenceConfiguration>,
  ) {
    this.options = {
      keepVersions: 20,
      retryInitialDelayMs: 100,
      retryMaxDelayMs: 5_000,
      shutdownAttempts: 5,
      ...configuration,
    };
  }

  /** The room as stored: snapshot plus log (see applyStoredRoom). */
  async onLoadDocument({ documentName, document }: onLoadDocumentPayload): Promise<void> {
    const { updates, logged, sizes } = this.options;
    const stored = await applyStoredRoom(document, documentName, this.options);
    for (const seq of stored.appliedSeqs) logged.add(documentName, seq);
    sizes.set(documentName, stored.bytes);
    // Dropped for good: they can never be applied, and would be retried on every load.
    if (stored.unreadableSeqs.length) await updates.delete(documentName, stored.unreadableSeqs);
  }

  async onStoreDocument({ documentName, document }: onStoreDocumentPayload): Promise<void> {
    const { snapshots, metrics, log, sizes } = this.options;
    let delay = this.options.retryInitialDelayMs;
    for (let attempt = 1; ; attempt++) {
      try {
        // Read before encoding: every row listed now is contained in the state below.
        const covered = this.options.logged.current(documentName);
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
        await this.compact(documentName, covered);
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

  /** Deletes what the new version made redundant; a failure here only delays it to the next store. */
  private async compact(documentName: string, covered: number[]): Promise<void> {
    const { snapshots, updates, logged, log } = this.options;
    try {
      await updates.delete(documentName, covered);
      logged.remove(documentName, covered);
      await snapshots.prune(documentName, this.options.keepVersions);
    } catch (error) {
      log.warn({ err: error, roomId: documentName }, 'compaction failed; the next store retries it');
    }
  }

  async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload): Promise<void> {
    this.options.sizes.delete(documentName);
    this.options.logged.delete(documentName);
  }

  /** From now on, failing stores give up after a few attempts instead of retrying forever. */
  beginShutdown(): void {
    this.stopping = true;
  }

  async onDestroy(_payload: onDestroyPayload): Promise<void> {
    this.stopping = true;
  }
}
