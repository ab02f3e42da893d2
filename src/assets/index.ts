import type { Hocuspocus } from '@hocuspocus/server';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { AssetRow } from '../db/schema.ts';
import { createFileStore } from '../export-jobs/create-file-store.ts';
import type { FileStore } from '../export-jobs/file-store.ts';
import type { Logger } from '../log.ts';
import { AssetCollector } from './asset-collector.ts';
import { AssetService } from './asset-service.ts';
import { AssetStore } from './asset-store.ts';

export { ASSET_ID_PATTERN, AssetStore } from './asset-store.ts';
export { AssetQuotaError, AssetRoomGoneError, AssetService, UnsupportedAssetError } from './asset-service.ts';
export { embedRoomAssets } from './export-embedding.ts';

/** An asset as the API shows it (API.md "Assets"). */
export interface AssetView {
  id: string;
  url: string;
  mimeType: string;
  size: number;
  width?: number;
  height?: number;
  sha256: string;
}

/** The URL an asset is served at, which tldraw keeps in the asset record's `props.src`. */
export function assetUrl(publicUrl: string, roomId: string, assetId: string): string {
  return `${publicUrl}/api/rooms/${encodeURIComponent(roomId)}/assets/${assetId}`;
}

export function toAssetView(row: AssetRow, publicUrl: string): AssetView {
  return {
    id: row.id,
    url: assetUrl(publicUrl, row.roomId, row.id),
    mimeType: row.mimeType,
    size: Number(row.size),
    ...(row.width !== null ? { width: row.width } : {}),
    ...(row.height !== null ? { height: row.height } : {}),
    sha256: row.id,
  };
}

/** The asset store of one instance: its rows, its files and the service over both. */
export interface Assets {
  service: AssetService;
  files: FileStore;
  /** Deletes assets no kept version references any more (periodically, once started). */
  collector: AssetCollector;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Wires the asset store: files in `DATA_DIR/assets`, or under `assets/` in the
 * bucket when `S3_BUCKET` is set, and its garbage collector.
 */
export function createAssets(deps: {
  config: Pick<Config, 's3' | 'dataDir' | 'assets'>;
  db: Db;
  log: Logger;
  /** Loaded documents count as references too. */
  hocuspocus: Pick<Hocuspocus, 'documents'>;
}): Assets {
  const { config, db, hocuspocus } = deps;
  const log = deps.log.child({ component: 'assets' });
  const files = createFileStore(config, 'assets');
  const store = new AssetStore(db);
  const service = new AssetService({ store, files, log, maxRoomBytes: config.assets.maxRoomBytes });
  const collector = new AssetCollector({
    store,
    files,
    log,
    references: { db, log, loadedDocument: (roomId) => hocuspocus.documents.get(roomId) },
    graceMs: config.assets.gcGraceMs,
    intervalMs: config.assets.gcIntervalMs,
  });
  return {
    service,
    files,
    collector,
    start: () => collector.start(),
    stop: async () => {
      await collector.stop();
      await files.close();
    },
  };
}
