import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Config } from '../config.ts';
import { S3FileStore } from './s3-file-store.ts';

/** A stored export file, ready to stream to a client. */
export interface StoredFile {
  body: ReadableStream<Uint8Array>;
  /** Bytes, when the store knows them. */
  size: number | undefined;
}

/**
 * Where export files live. Keys are `<roomId>/<exportId>.<ext>`, so a room's files
 * share a prefix and can be removed together when the room is deleted.
 */
export interface FileStore {
  readonly kind: 'local' | 's3';
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  /** The file, or `undefined` when it is not there. */
  get(key: string): Promise<StoredFile | undefined>;
  delete(key: string): Promise<void>;
  /** Deletes every file under `<roomId>/`. */
  deleteRoom(roomId: string): Promise<void>;
  close(): Promise<void>;
}

/** The key of an export's file. */
export function fileKey(roomId: string, exportId: string, extension: string): string {
  return `${roomId}/${exportId}.${extension}`;
}

/**
 * S3 (or any S3-compatible store) when `S3_BUCKET` is set, otherwise the local disk
 * under `DATA_DIR/exports`.
 */
export function createFileStore(config: Pick<Config, 's3' | 'dataDir'>): FileStore {
  return config.s3 ? new S3FileStore(config.s3) : new LocalFileStore(path.resolve(config.dataDir, 'exports'));
}

/** Files on the local disk. Writes go to a temporary name first, so a reader never sees half a file. */
export class LocalFileStore implements FileStore {
  readonly kind = 'local';
  private readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const target = this.resolve(key);
    await mkdir(path.dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temporary, body);
    await rename(temporary, target);
  }

  async get(key: string): Promise<StoredFile | undefined> {
    const target = this.resolve(key);
    const info = await stat(target).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    return { body: Readable.toWeb(createReadStream(target)) as ReadableStream<Uint8Array>, size: info.size };
  }

  async delete(key: string): Promise<void> {
    await rm(this.resolve(key), { force: true });
  }

  async deleteRoom(roomId: string): Promise<void> {
    await rm(this.resolve(roomId), { recursive: true, force: true });
  }

  async close(): Promise<void> {}

  /** Keys come from our own ids, but refuse anything that would leave the root anyway. */
  private resolve(key: string): string {
    const target = path.resolve(this.root, key);
    if (!target.startsWith(this.root + path.sep)) throw new Error(`Export file key outside the store: ${key}`);
    return target;
  }
}
