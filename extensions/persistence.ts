import type {
  Extension,
  afterUnloadDocumentPayload,
  onDestroyPayload,
  onLoadDocumentPayload,
  onStoreDocumentPayload,
} from '@hocuspocus/server';
import type { Db } from '../src/db/client.ts';
import { logQuarantined, quarantine } from '../src/documents/quarantine.ts';
import { storeLoadedRoom } from '../src/documents/room-compaction.ts';
import type { RoomStates } from '../src/documents/room-state.ts';
import { applyStoredRoom } from '../src/documents/stored-room.ts';
import type { Logger } from '../src/log.ts';
import type { Metrics } from '../src/metrics.ts';

export interface PersistenceConfiguration {
  db: Db;
  /** Per-room state: opened here on load, dropped here on unload, read by other extensions. */
  rooms: RoomStates;
  metrics: Metrics;
  log: Logger;
  /** Snapshot versions kept per room; older ones are deleted by each store. @default 20 */
  keepVersions: number;
  /** First wait before retrying a failed store, doubled per failure. @default 100 (ms) */
  retryInitialDelayMs: number;
  /** Longest wait between retries while the database is away. @default 5000 (ms) */
  retryMaxDelayMs: number;
}

/**
 * Persistence with the shape of `@hocuspocus/extension-database` (onLoadDocument,
 * onStoreDocument), written out because that extension's single `fetch`/`store`
 * pair can neither replay a log row by row nor retry a failed store: loads a room as
 * its newest snapshot plus the durable update log (one consistent read), and stores
 * each debounced change as a new version that also compacts the log (`compactRoom`:
 * one transaction under the room's lock, safe with any number of instances).
 *
 * A failed store is retried with backoff inside the hook. That keeps Hocuspocus's
 * save mutex held, so the document cannot be unloaded before its last change is
 * stored, and each attempt encodes the document afresh, so a late success stores
 * everything that arrived meanwhile. During shutdown it retries until the deadline.
 */
export class Persistence implements Extension {
  extensionName = 'scrible-persistence';
  // After auth (which must refuse before anything loads), before metrics/logging.
  priority = 50;
  private readonly options: PersistenceConfiguration;
  /** Set at shutdown: stores give up at this time (ms since epoch). */
  private deadline: number | undefined;

  constructor(configuration: Pick<PersistenceConfiguration, 'db' | 'rooms' | 'metrics' | 'log'> & Partial<PersistenceConfiguration>) {
    this.options = { keepVersions: 20, retryInitialDelayMs: 100, retryMaxDelayMs: 5_000, ...configuration };
  }

  /** The room as stored: newest decodable snapshot plus log (see applyStoredRoom). */
  async onLoadDocument({ documentName, document }: onLoadDocumentPayload): Promise<void> {
    const { db, rooms, log, metrics } = this.options;
    const stored = await applyStoredRoom(document, documentName, { db, log });
    const state = rooms.open(document);
    state.containedVersion = stored.version;
    if (stored.wholeState) state.keepLoadedState(stored.wholeState);
    state.measured(stored.bytes);
    if (stored.unreadable.length === 0) return;
    // Kept, not deleted: out of the way of later loads, there for a repair.
    try {
      await quarantine(db, documentName, stored.unreadable);
      logQuarantined(log, documentName, stored.unreadable);
      for (const item of stored.unreadable) metrics.quarantined.inc({ kind: item.kind });
    } catch (error) {
      log.warn({ err: error, roomId: documentName }, 'could not quarantine undecodable data; the next load or store retries');
    }
  }

  async onStoreDocument({ documentName, document, lastContext }: onStoreDocumentPayload): Promise<void> {
    const { metrics, log, rooms } = this.options;
    const state = rooms.get(document);
    // Unloaded meanwhile (its last store ran already) or never loaded by us.
    if (!state) return;
    let delay = this.options.retryInitialDelayMs;
    for (let attempt = 1; ; attempt++) {
      try {
        // Each attempt encodes the document afresh: a late success stores everything so far.
        const stored = await storeLoadedRoom(state, {
          db: this.options.db,
          keepVersions: this.options.keepVersions,
          createdBy: authorOf(lastContext),
        });
        if (!stored) {
          // The room was deleted while loaded: nothing to keep.
          metrics.snapshotWrites.inc({ result: 'skipped' });
          log.info({ roomId: documentName }, 'room no longer exists; snapshot not stored');
          return;
        }
        metrics.documentBytes.observe(stored.bytes);
        metrics.snapshotWrites.inc({ result: 'ok' });
        logQuarantined(log, documentName, stored.quarantined);
        for (const item of stored.quarantined) metrics.quarantined.inc({ kind: item.kind });
        return;
      } catch (error) {
        metrics.snapshotWrites.inc({ result: 'error' });
        const left = this.deadline === undefined ? Number.POSITIVE_INFINITY : this.deadline - Date.now();
        const givingUp = left <= 0;
        log[givingUp ? 'error' : 'warn'](
          { err: error, roomId: documentName, attempt, retryInMs: givingUp ? undefined : delay },
          givingUp
            ? 'snapshot store failed at the shutdown deadline; giving up (the log still holds every acknowledged update)'
            : 'snapshot store failed; retrying',
        );
        if (givingUp) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
        delay = Math.min(delay * 2, this.options.retryMaxDelayMs);
      }
    }
  }

  async afterUnloadDocument({ documentName, instance }: afterUnloadDocumentPayload): Promise<void> {
    this.options.rooms.drop(documentName, instance.documents.get(documentName));
  }

  /** From now on, failing stores retry only until `deadline` (ms since epoch). */
  beginShutdown(deadline: number): void {
    this.deadline = Math.min(this.deadline ?? deadline, deadline);
  }

  async onDestroy(_payload: onDestroyPayload): Promise<void> {
    this.beginShutdown(Date.now());
  }
}

/**
 * Who made the change a store writes: the user in the context of the change that
 * triggered it (a client's connection, or the REST document API and restore, which
 * put `user` in their direct connection's context). Changes relayed from another
 * instance and internal stores carry no user: null.
 */
export function authorOf(context: unknown): string | null {
  const user = (context as { user?: { id?: unknown } } | undefined)?.user;
  return typeof user?.id === 'string' ? user.id : null;
}
