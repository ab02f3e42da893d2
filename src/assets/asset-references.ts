import { and, asc, eq } from 'drizzle-orm';
import * as Y from 'yjs';
import type { Db } from '../db/client.ts';
import { roomSnapshots } from '../db/schema.ts';
import { applyStoredRoom } from '../documents/stored-room.ts';
import type { Logger } from '../log.ts';
import { readBoardFromYDoc } from '../render/index.ts';
import type { RecordLike } from '../render/types.ts';

/**
 * The asset id an asset record points at, when its `props.src` is one of this room's
 * asset URLs (whatever origin PUBLIC_URL had when it was written; query ignored).
 */
export function assetIdOf(record: RecordLike, roomId: string): string | undefined {
  if (record.typeName !== 'asset') return undefined;
  const src = (record as { props?: { src?: unknown } }).props?.src;
  if (typeof src !== 'string' || src === '') return undefined;
  let pathname: string;
  try {
    pathname = new URL(src, 'http://relative.invalid').pathname;
  } catch {
    return undefined;
  }
  const match = /^\/api\/rooms\/([^/]+)\/assets\/([0-9a-f]{64})$/.exec(pathname);
  return match && decodeURIComponent(match[1]!) === roomId ? match[2] : undefined;
}

/** Ids of this room's assets that the board's asset records point at. */
export function referencedIn(records: readonly RecordLike[], roomId: string): Set<string> {
  const ids = new Set<string>();
  for (const record of records) {
    const id = assetIdOf(record, roomId);
    if (id) ids.add(id);
  }
  return ids;
}

export interface ReferenceSources {
  db: Db;
  log: Logger;
  /** The room's document when this instance has it loaded (what its clients see now). */
  loadedDocument: (roomId: string) => Y.Doc | undefined;
}

/**
 * Which of `assetIds` the room still uses: referenced by an asset record in any kept
 * snapshot version (a restore may bring it back), in the stored board now (newest
 * snapshot plus the update log), or in the loaded document.
 *
 * @returns `undefined` when some stored data could not be read: then nothing may be
 *   called unreferenced.
 */
export async function referencedAssets(
  sources: ReferenceSources,
  roomId: string,
  assetIds: readonly string[],
): Promise<Set<string> | undefined> {
  const { db, log } = sources;
  const referenced = new Set<string>();
  const take = (doc: Y.Doc) => {
    for (const id of referencedIn(readBoardFromYDoc(doc, roomId).records, roomId)) referenced.add(id);
  };

  const versions = await db
    .select({ version: roomSnapshots.version })
    .from(roomSnapshots)
    .where(eq(roomSnapshots.roomId, roomId))
    .orderBy(asc(roomSnapshots.version));
  // One version in memory at a time; big boards keep up to SNAPSHOT_KEEP_VERSIONS of them.
  for (const { version } of versions) {
    const [row] = await db
      .select({ data: roomSnapshots.snapshotData })
      .from(roomSnapshots)
      .where(and(eq(roomSnapshots.roomId, roomId), eq(roomSnapshots.version, version)))
      .limit(1);
    if (!row) continue; // pruned meanwhile: a newer version holds what it held
    // A URL is stored as one contiguous string: a version without any id's bytes cannot reference one.
    const bytes = Buffer.from(row.data.buffer, row.data.byteOffset, row.data.byteLength);
    if (!assetIds.some((id) => bytes.includes(id))) continue;
    const doc = new Y.Doc();
    try {
      Y.applyUpdate(doc, row.data);
      take(doc);
    } catch (error) {
      log.warn({ err: error, roomId, version }, 'asset collection: a kept version does not decode; keeping every asset of the room');
      return undefined;
    } finally {
      doc.destroy();
    }
  }

  const current = new Y.Doc();
  try {
    const stored = await applyStoredRoom(current, roomId, { db, log });
    if (stored.unreadable.length > 0) return undefined;
    take(current);
  } catch (error) {
    log.warn({ err: error, roomId }, 'asset collection: the stored board cannot be read; keeping every asset of the room');
    return undefined;
  } finally {
    current.destroy();
  }
  const loaded = sources.loadedDocument(roomId);
  if (loaded) take(loaded);
  return referenced;
}
