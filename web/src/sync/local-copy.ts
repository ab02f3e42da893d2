import { IndexeddbPersistence, clearDocument } from 'y-indexeddb';
import type * as Y from 'yjs';

/**
 * How long opening a board waits for its local copy before connecting without it. Reading
 * IndexedDB takes milliseconds; this only bounds a browser whose IndexedDB hangs (blocked
 * by another tab's upgrade, say). A copy that loads later is still merged and sent.
 */
const LOAD_TIMEOUT_MS = 3_000;

/**
 * A room's Y.Doc kept in this browser's IndexedDB, so that changes the server has not
 * acknowledged (made offline, or just before the tab closed) survive the tab and are sent
 * the next time the board opens. Every update is written as it happens (y-indexeddb).
 */
export interface LocalCopy {
  /** Resolves once the stored copy is merged into the doc (false: none could be read in time). */
  loaded: Promise<boolean>;
  /** Stops writing; the stored copy stays. */
  destroy(): void;
  /** Stops writing and deletes the stored copy (the room is gone). */
  clear(): Promise<void>;
}

/**
 * One database per user and room: another identity in the same browser must neither see
 * nor send this user's unsent changes.
 */
export function localCopyName(userId: string, roomId: string): string {
  return `scrible:${userId}:${roomId}`;
}

/**
 * Opens (or starts) the local copy of a room and merges it into `doc`. Without IndexedDB
 * (some private modes) the board works as before, only without surviving a closed tab.
 */
export function openLocalCopy(doc: Y.Doc, userId: string, roomId: string): LocalCopy {
  const name = localCopyName(userId, roomId);
  let persistence: IndexeddbPersistence;
  try {
    persistence = new IndexeddbPersistence(name, doc);
  } catch (error) {
    console.warn('No local copy of the board: IndexedDB is not available', error);
    return { loaded: Promise.resolve(false), destroy() {}, clear: async () => {} };
  }
  const opened = persistence._db.then(
    () => true,
    (error: unknown) => {
      console.warn('No local copy of the board: IndexedDB refused to open', error);
      return false;
    },
  );
  const loaded = Promise.race([
    opened.then((ok) => (ok ? persistence.whenSynced.then(() => true) : false)),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), LOAD_TIMEOUT_MS)),
  ]);
  return {
    loaded,
    destroy() {
      void persistence.destroy().catch(() => {});
    },
    async clear() {
      await persistence.clearData().catch(() => {});
    },
  };
}

/** Deletes the local copy of a room that is no longer open anywhere (after deleting the room). */
export async function deleteLocalCopy(userId: string, roomId: string): Promise<void> {
  if (typeof indexedDB === 'undefined') return;
  await clearDocument(localCopyName(userId, roomId)).catch(() => {});
}
