import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { FileStore, StoredFile } from './file-store.ts';

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
