import { asc, gt } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { rooms } from '../db/schema.ts';
import type { RoomDocuments } from '../document-api/room-documents.ts';
import { applyChanges } from '../document-api/record-changes.ts';
import type { Logger } from '../log.ts';
import { readBoardFromYDoc } from '../render/read-board.ts';
import type { RecordLike } from '../render/types.ts';
import { AssetQuotaError, type AssetService, UnsupportedAssetError } from './asset-service.ts';
import { assetUrl } from './index.ts';

export interface InlineMigrationDeps {
  db: Db;
  documents: RoomDocuments;
  service: AssetService;
  log: Logger;
  /** Base of the asset URLs written into the records. */
  publicUrl: string;
}

/** What a run did. */
export interface InlineMigrationReport {
  rooms: number;
  roomsChanged: number;
  assetsMoved: number;
  /** Bytes of files moved out of documents (decoded, not base64). */
  bytesMoved: number;
  /** Inline files left where they are, and why (a type not allowed, the room's quota). */
  skipped: Array<{ roomId: string; recordId: string; reason: string }>;
}

const ROOMS_PER_PAGE = 100;
// Who the moved files were uploaded by, in `assets.created_by`.
const MIGRATION_USER = 'assets:migrate';

type AssetRecord = RecordLike & { type: string; props: { src?: unknown } };

/** The bytes of a `data:` URL (base64 or percent-encoded), or `undefined` for anything else. */
export function dataUrlBytes(src: string): Uint8Array | undefined {
  const match = /^data:([^,]*),(.*)$/s.exec(src);
  if (!match) return undefined;
  const [, header = '', payload = ''] = match;
  try {
    return /;base64$/i.test(header)
      ? new Uint8Array(Buffer.from(payload, 'base64'))
      : new TextEncoder().encode(decodeURIComponent(payload));
  } catch {
    return undefined;
  }
}

function inlineAssets(records: readonly RecordLike[]): AssetRecord[] {
  return (records as AssetRecord[]).filter(
    (record) =>
      record.typeName === 'asset' &&
      (record.type === 'image' || record.type === 'video') &&
      typeof record.props?.src === 'string' &&
      record.props.src.startsWith('data:'),
  );
}

/**
 * Moves images and videos stored inline (`data:` URLs, as tldraw saves them without an
 * asset store) out of every room's document into the asset store, and points their
 * asset records at the stored files. Each room's rewrite is one change through
 * Hocuspocus, like a client's: durable before the next room, seen by connected
 * clients. A record changed since it was read is left alone. Running it again finds
 * nothing to do.
 *
 * @param roomIds - only these rooms (default: all of them).
 */
export async function migrateInlineAssets(deps: InlineMigrationDeps, roomIds?: readonly string[]): Promise<InlineMigrationReport> {
  const report: InlineMigrationReport = { rooms: 0, roomsChanged: 0, assetsMoved: 0, bytesMoved: 0, skipped: [] };
  for await (const roomId of roomIds ?? allRooms(deps.db)) {
    report.rooms++;
    const moved = await migrateRoom(deps, roomId, report);
    if (moved > 0) {
      report.roomsChanged++;
      report.assetsMoved += moved;
      deps.log.info({ roomId, assets: moved }, 'inline assets moved to the asset store');
    }
  }
  return report;
}

async function* allRooms(db: Db): AsyncGenerator<string> {
  let after = '';
  for (;;) {
    const page = await db.select({ id: rooms.id }).from(rooms).where(gt(rooms.id, after)).orderBy(asc(rooms.id)).limit(ROOMS_PER_PAGE);
    for (const { id } of page) yield id;
    if (page.length < ROOMS_PER_PAGE) return;
    after = page.at(-1)!.id;
  }
}

async function migrateRoom(deps: InlineMigrationDeps, roomId: string, report: InlineMigrationReport): Promise<number> {
  const { documents, service, publicUrl } = deps;
  const found = await documents.read(roomId, (doc) => inlineAssets(readBoardFromYDoc(doc, roomId).records));
  // Record id → [the data: URL it held, the URL it gets].
  const rewrites = new Map<string, [string, string]>();
  for (const record of found) {
    const src = record.props.src as string;
    const bytes = dataUrlBytes(src);
    if (!bytes || bytes.byteLength === 0) {
      report.skipped.push({ roomId, recordId: record.id, reason: 'not a readable data: URL' });
      continue;
    }
    try {
      const { row } = await service.upload(roomId, MIGRATION_USER, bytes);
      rewrites.set(record.id, [src, assetUrl(publicUrl, roomId, row.id)]);
      report.bytesMoved += bytes.byteLength;
    } catch (error) {
      if (!(error instanceof UnsupportedAssetError || error instanceof AssetQuotaError)) throw error;
      report.skipped.push({ roomId, recordId: record.id, reason: error.message });
    }
  }
  if (rewrites.size === 0) return 0;
  return documents.change(roomId, { expectedBytes: 0, context: { source: 'assets:migrate' } }, (doc) => {
    const put: RecordLike[] = [];
    for (const record of inlineAssets(readBoardFromYDoc(doc, roomId).records)) {
      const rewrite = rewrites.get(record.id);
      // Changed by someone meanwhile: theirs stands; a later run looks again.
      if (!rewrite || record.props.src !== rewrite[0]) continue;
      put.push({ ...record, props: { ...record.props, src: rewrite[1] } });
    }
    if (put.length > 0) applyChanges(doc, roomId, { put, remove: [] });
    return put.length;
  });
}
