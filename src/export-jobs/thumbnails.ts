import { createHash } from 'node:crypto';
import type { Logger } from '../log.ts';
import type { BoardSource } from './board-source.ts';
import type { PrepareBoard } from './export-runner.ts';
import type { FileStore } from './file-store.ts';
import type { RenderPool } from './render-pool.ts';

/** Thumbnails are at most this wide, and this tall (a very tall board is scaled to fit). */
export const THUMBNAIL_FIT = { width: 512, height: 2048 } as const;

export interface ThumbnailsConfiguration {
  boards: BoardSource;
  pool: RenderPool;
  files: FileStore;
  log: Logger;
  /** Whether the room still exists: a refresh racing the room's deletion must leave no file behind. */
  roomExists: (roomId: string) => Promise<boolean>;
  /** Puts the room's pictures into the board before it is drawn, as exports do. */
  prepareBoard?: PrepareBoard;
  /** The versions the room has now: previews of pruned ones are deleted as new ones are drawn. */
  storedVersions: (roomId: string) => Promise<number[]>;
}

/** A thumbnail as the API serves it. */
export interface Thumbnail {
  body: Uint8Array;
  /** A strong ETag (quoted), from the bytes. */
  etag: string;
}

/** The key of a room's thumbnail: under the room's prefix, so it goes when the room's files go. */
export function thumbnailKey(roomId: string): string {
  return `${roomId}/thumbnail.png`;
}

/** Where a room's version previews are, together. */
const previewFolder = (roomId: string) => `${roomId}/versions`;

/** The key of a stored version's preview; a version never changes, so neither does its picture. */
export function versionPreviewKey(roomId: string, version: number): string {
  return `${previewFolder(roomId)}/${version}.png`;
}

/**
 * Room thumbnails: a PNG of the first page, at most 512 px wide, rendered in the export
 * render pool (worker threads at low priority, never on the event loop that serves
 * sync) and kept in the export file store. `refresh` is called (debounced) after a
 * room changes; `get` serves the stored one, rendering it first if there is none.
 * One render per room at a time: a refresh asked for during one runs once after it.
 * Stored versions get previews the same way (`version`), rendered once on first use.
 */
export class Thumbnails {
  private readonly configuration: ThumbnailsConfiguration;
  private readonly running = new Map<string, Promise<Uint8Array | undefined>>();
  private readonly again = new Set<string>();
  /** Version previews being rendered, by file key: a history panel opened twice renders each once. */
  private readonly previews = new Map<string, Promise<Uint8Array>>();

  constructor(configuration: ThumbnailsConfiguration) {
    this.configuration = configuration;
  }

  /** Renders and stores the room's thumbnail now (or once more after the render under way). */
  refresh(roomId: string): Promise<Uint8Array | undefined> {
    const current = this.running.get(roomId);
    if (current) {
      this.again.add(roomId);
      return current;
    }
    const render = this.render(roomId).finally(() => {
      this.running.delete(roomId);
      if (this.again.delete(roomId)) void this.refresh(roomId).catch(() => {});
    });
    this.running.set(roomId, render);
    return render;
  }

  /**
   * The room's thumbnail, rendered now when none is stored yet.
   * @returns `undefined` when the room went away meanwhile
   * @throws RenderError when its board cannot be read
   */
  async get(roomId: string): Promise<Thumbnail | undefined> {
    const body = (await this.stored(thumbnailKey(roomId))) ?? (await this.refresh(roomId));
    return body && withEtag(body);
  }

  /**
   * The preview of one stored version (the caller checks that the room has it), drawn
   * like the thumbnail and kept in the file store under the room, so it is drawn once.
   * @throws RenderError when the version cannot be read (pruned meanwhile, or undecodable)
   */
  async version(roomId: string, version: number): Promise<Thumbnail> {
    const key = versionPreviewKey(roomId, version);
    let body = await this.stored(key);
    if (!body) {
      let render = this.previews.get(key);
      if (!render) {
        render = this.draw(roomId, version)
          .then(async (drawn) => {
            await this.configuration.files.put(key, drawn, 'image/png');
            await this.deletePrunedPreviews(roomId);
            return drawn;
          })
          .finally(() => this.previews.delete(key));
        this.previews.set(key, render);
      }
      body = await render;
    }
    return withEtag(body);
  }

  /**
   * Versions are pruned by compactions that know nothing of pictures: each new preview
   * sweeps the room's previews of versions it no longer has, so they stay as few as
   * the versions kept.
   */
  private async deletePrunedPreviews(roomId: string): Promise<void> {
    const { files, storedVersions } = this.configuration;
    const kept = new Set(await storedVersions(roomId));
    for (const key of await files.list(previewFolder(roomId))) {
      const version = /\/(\d+)\.png$/.exec(key)?.[1];
      if (version !== undefined && !kept.has(Number(version))) await files.delete(key);
    }
  }

  private async stored(key: string): Promise<Uint8Array | undefined> {
    const stored = await this.configuration.files.get(key);
    return stored ? new Uint8Array(await new Response(stored.body).arrayBuffer()) : undefined;
  }

  /** A PNG of the board now, or of a stored version, with its pictures. */
  private async draw(roomId: string, version?: number): Promise<Uint8Array> {
    const { boards, pool, prepareBoard } = this.configuration;
    const { board: stored } = await boards.read(roomId, version);
    const board = prepareBoard ? await prepareBoard(roomId, stored, { format: 'png' }) : stored;
    return (await pool.render(board, { format: 'png', fit: THUMBNAIL_FIT })).body;
  }

  private async render(roomId: string): Promise<Uint8Array | undefined> {
    const { files, log, roomExists } = this.configuration;
    const started = performance.now();
    const body = await this.draw(roomId);
    await files.put(thumbnailKey(roomId), body, 'image/png');
    // Deleted meanwhile: its files may have been removed before this one was written.
    if (!(await roomExists(roomId))) {
      await files.delete(thumbnailKey(roomId));
      return undefined;
    }
    log.debug({ roomId, bytes: body.byteLength, ms: Math.round(performance.now() - started) }, 'thumbnail rendered');
    return body;
  }
}

/** A picture as the API serves it: a strong ETag from its bytes. */
function withEtag(body: Uint8Array): Thumbnail {
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url')}"` };
}
