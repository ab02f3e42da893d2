import { createHash } from 'node:crypto';
import type { AssetRow } from '../db/schema.ts';
import type { ByteRange, FileStore, StoredFile } from '../export-jobs/file-store.ts';
import type { Logger } from '../log.ts';
import type { AssetStore } from './asset-store.ts';
import { imageSize, isResizable, resizeImage, UnreadableImageError, variantType, variantWidth } from './images.ts';
import { type AssetMimeType, isImageType, sniffAssetType } from './media-types.ts';

/** The bytes are not one of the allowed types (415). */
export class UnsupportedAssetError extends Error {
  override name = 'UnsupportedAssetError';
}

/** The room's assets would exceed MAX_ROOM_ASSET_BYTES (413). */
export class AssetQuotaError extends Error {
  override name = 'AssetQuotaError';
}

/** The room was deleted during the upload (404). */
export class AssetRoomGoneError extends Error {
  override name = 'AssetRoomGoneError';
}

/** A stored upload, and whether this request stored it or found the same bytes there. */
export interface UploadOutcome {
  row: AssetRow;
  created: boolean;
}

/** What to serve: the original (or a byte range of it), or a smaller variant of an image. */
export interface AssetBody {
  file: StoredFile;
  type: string;
  /** Distinguishes variants in the `ETag`; absent for the original. */
  width?: number;
}

/**
 * The width an image is served at for `?w=<requested>`: a stored variant's (a power of
 * two below the image's width), or `undefined` for the original (no `?w=`, a width at
 * least the image's, or a type that is never resized: SVG, video).
 */
export function servedWidth(row: AssetRow, requested: number | undefined): number | undefined {
  if (requested === undefined || !row.width || !isResizable(row.mimeType as AssetMimeType)) return undefined;
  return variantWidth(requested, row.width);
}

/** Every file of an asset sits under `<roomId>/<id>/`: the original and its variants. */
export const assetFolder = (roomId: string, id: string) => `${roomId}/${id}`;
export const originalKey = (roomId: string, id: string) => `${assetFolder(roomId, id)}/original`;
const variantKey = (roomId: string, id: string, width: number) => `${assetFolder(roomId, id)}/w${width}`;

export interface AssetServiceConfiguration {
  store: AssetStore;
  files: FileStore;
  log: Logger;
  /** MAX_ROOM_ASSET_BYTES. */
  maxRoomBytes: number;
}

/**
 * Stores uploads content-addressed (`id` = SHA-256 of the bytes) and serves them,
 * with resized variants of images made on first request and kept in the store.
 */
export class AssetService {
  readonly store: AssetStore;
  readonly files: FileStore;
  private readonly configuration: AssetServiceConfiguration;
  // One resize per variant at a time: a board opening with many viewers asks at once.
  private readonly resizing = new Map<string, Promise<Uint8Array>>();

  constructor(configuration: AssetServiceConfiguration) {
    this.configuration = configuration;
    this.store = configuration.store;
    this.files = configuration.files;
  }

  /**
   * Stores the bytes as an asset of the room, once: the same bytes again give the
   * existing asset. The file is written before its row, so a row always has its file.
   *
   * @throws UnsupportedAssetError, AssetQuotaError, AssetRoomGoneError.
   */
  async upload(roomId: string, userId: string, bytes: Uint8Array): Promise<UploadOutcome> {
    const { store } = this.configuration;
    const mimeType = await sniffAssetType(bytes);
    if (!mimeType) throw new UnsupportedAssetError('The file is not a PNG, JPEG, GIF, WebP, AVIF or SVG image, nor an MP4 or WebM video');
    const id = createHash('sha256').update(bytes).digest('hex');
    const reused = await store.reuse(roomId, id);
    if (reused) return { row: reused, created: false };

    let size: { width: number; height: number } | undefined;
    if (isImageType(mimeType)) {
      try {
        size = await imageSize(bytes);
      } catch (error) {
        if (error instanceof UnreadableImageError) throw new UnsupportedAssetError(`The image cannot be read: ${error.message}`);
        throw error;
      }
    }
    return this.keep(roomId, userId, bytes, { id, mimeType, width: size?.width ?? null, height: size?.height ?? null });
  }

  /**
   * A copy of another room's asset in `roomId` (a fork), under the same id and quota,
   * without sniffing, hashing or measuring the bytes again: the row already knows them.
   *
   * @returns `undefined` when the source file is missing from the store.
   */
  async copy(source: AssetRow, roomId: string, userId: string): Promise<UploadOutcome | undefined> {
    const reused = await this.configuration.store.reuse(roomId, source.id);
    if (reused) return { row: reused, created: false };
    const file = await this.files.get(originalKey(source.roomId, source.id));
    if (!file) return undefined;
    const bytes = new Uint8Array(await new Response(file.body).arrayBuffer());
    return this.keep(roomId, userId, bytes, { id: source.id, mimeType: source.mimeType, width: source.width, height: source.height });
  }

  /** Writes the file, then its row (so a row always has its file), within the room's quota. */
  private async keep(
    roomId: string,
    userId: string,
    bytes: Uint8Array,
    asset: { id: string; mimeType: string; width: number | null; height: number | null },
  ): Promise<UploadOutcome> {
    const { store, files, maxRoomBytes, log } = this.configuration;
    const { id, mimeType } = asset;
    // Checked again under the room's lock below; this spares writing files that cannot stay.
    if ((await store.usage(roomId)) + bytes.byteLength > maxRoomBytes) throw quotaError(maxRoomBytes);

    await files.put(originalKey(roomId, id), bytes, mimeType);
    const discardFile = () =>
      files
        .deleteFolder(assetFolder(roomId, id))
        .catch((error: unknown) => log.warn({ err: error, roomId, assetId: id }, 'deleting an unused asset file failed'));
    let outcome: Awaited<ReturnType<AssetStore['add']>>;
    try {
      outcome = await store.add(
        { roomId, id, mimeType, size: bytes.byteLength, width: asset.width, height: asset.height, createdBy: userId },
        maxRoomBytes,
      );
    } catch (error) {
      await discardFile();
      throw error;
    }
    switch (outcome.kind) {
      case 'created':
        return { row: outcome.row, created: true };
      case 'existing':
        return { row: outcome.row, created: false };
      case 'over-quota':
        await discardFile();
        throw quotaError(maxRoomBytes);
      case 'room-gone':
        await discardFile();
        throw new AssetRoomGoneError(`Room ${roomId} was deleted`);
    }
  }

  /**
   * The asset's bytes: a byte range of the original, or for `width` (from `?w=`,
   * stepped by `servedWidth`) a resized image when that is smaller than the original. `undefined` when the file is
   * missing from the store.
   */
  async read(row: AssetRow, options: { range?: ByteRange; width?: number } = {}): Promise<AssetBody | undefined> {
    const type = row.mimeType as AssetMimeType;
    const width = servedWidth(row, options.width);
    if (width === undefined) {
      const file = await this.files.get(originalKey(row.roomId, row.id), options.range);
      return file && { file, type };
    }
    const key = variantKey(row.roomId, row.id, width);
    const stored = await this.files.get(key);
    if (stored) return { file: stored, type: variantType(type), width };
    const bytes = await this.resize(row, type, key, width);
    if (!bytes) return undefined;
    return {
      file: { body: new Blob([bytes as Uint8Array<ArrayBuffer>]).stream(), size: bytes.byteLength },
      type: variantType(type),
      width,
    };
  }

  /** Makes (once, however many ask) and stores a variant. */
  private async resize(row: AssetRow, type: AssetMimeType, key: string, width: number): Promise<Uint8Array | undefined> {
    let pending = this.resizing.get(key);
    if (!pending) {
      pending = (async () => {
        const original = await this.files.get(originalKey(row.roomId, row.id));
        if (!original) return new Uint8Array(0);
        const bytes = await resizeImage(new Uint8Array(await new Response(original.body).arrayBuffer()), type, width);
        await this.files.put(key, bytes, variantType(type));
        return bytes;
      })().finally(() => this.resizing.delete(key));
      this.resizing.set(key, pending);
    }
    const bytes = await pending;
    return bytes.byteLength > 0 ? bytes : undefined;
  }
}

function quotaError(maxRoomBytes: number): AssetQuotaError {
  return new AssetQuotaError(`The room's files would exceed ${maxRoomBytes} bytes (MAX_ROOM_ASSET_BYTES); delete some first`);
}
