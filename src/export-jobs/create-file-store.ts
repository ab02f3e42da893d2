import path from 'node:path';
import type { Config } from '../config.ts';
import type { FileStore } from './file-store.ts';
import { LocalFileStore } from './local-file-store.ts';
import { S3FileStore } from './s3-file-store.ts';

/**
 * S3 (or any S3-compatible store) when `S3_BUCKET` is set, otherwise the local disk
 * under `DATA_DIR/exports`.
 */
export function createFileStore(config: Pick<Config, 's3' | 'dataDir'>): FileStore {
  return config.s3 ? new S3FileStore(config.s3) : new LocalFileStore(path.resolve(config.dataDir, 'exports'));
}
