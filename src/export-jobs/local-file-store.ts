import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ByteRange, FileStore, StoredFile } from './file-store.ts';

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
    // Unique per write: two uploads of the same asset may write the same key at once.
    const temporary = `${target}.${randomUUID()}.tmp`;
    await writeFile(temporary, body);
    await rename(temporary, target);
  }

  async get(key: string, range?: ByteRange): Promise<StoredFile | undefined> {
    const target = this.resolve(key);
    const info = await stat(target).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const stream = createReadStream(target, range ? { start: range.start, end: range.end } : {});
    const size = range ? Math.max(0, Math.min(range.end, info.size - 1) - range.start + 1) : info.size;
    return { body: Readable.toWeb(stream) as ReadableStream<Uint8Array>, size };
  }

  async delete(key: string): Promise<void> {
    await rm(this.resolve(key), { force: true });
  }

  async list(folder: string): Promise<string[]> {
    try {
      const entries = await readdir(this.resolve(folder), { withFileTypes: true });
      return entries.filter((entry) => entry.isFile()).map((entry) => `${folder}/${entry.name}`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  async deleteFolder(folder: string): Promise<void> {
    await rm(this.resolve(folder), { recursive: true, force: true });
  }

  async deleteRoom(roomId: string): Promise<void> {
    await this.deleteFolder(roomId);
  }

  async close(): Promise<void> {}

  /** Keys come from our own ids, but refuse anything that would leave the root anyway. */
  private resolve(key: string): string {
    const target = path.resolve(this.root, key);
    if (!target.startsWith(this.root + path.sep)) throw new Error(`File key outside the store: ${key}`);
    return target;
  }
}
