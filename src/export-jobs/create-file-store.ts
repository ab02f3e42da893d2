import path from 'node:path';
import type { Config } from '../config.ts';
import type { FileStore } from './file-store.ts';
import { LocalFileStore } from './local-file-store.ts';
import { S3FileStore } from './s3-file-store.ts';

/** What a store holds: each area is its own folder on disk and its own prefix in the bucket. */
export type FileArea = 'exports' | 'assets';

/**
 * S3 (or any S3-compatible store) under `<area>/` when `S3_BUCKET` is set, otherwise
 * the local disk under `DATA_DIR/<area>`.
 */
export function createFileStore(config: Pick<Config, 's3' | 'dataDir'>, area: FileArea = 'exports'): FileStore {
  return config.s3 ? new S3FileStore(config.s3, area) : new LocalFileStore(path.resolve(config.dataDir, area));
}
