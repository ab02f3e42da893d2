import type { AssetRow } from '../db/schema.ts';
import type { Logger } from '../log.ts';
import type { Board, RecordLike } from '../render/types.ts';
import { assetIdOf } from './asset-references.ts';
import type { AssetService } from './asset-service.ts';
import { exportImage } from './images.ts';
import type { AssetMimeType } from './media-types.ts';

/** What the export is for: its format and PNG scale. */
export interface EmbedOptions {
  format: string;
  scale?: number;
}

// A .tldr file carries the original files, as tldraw's own save does; beyond this many
// bytes the rest keep their URLs rather than exhaust memory (a JSON string caps near 512 MB).
const MAX_TLDR_EMBEDDED_BYTES = 128 * 1024 * 1024;

type ImageShape = RecordLike & {
  props?: { assetId?: unknown; w?: unknown; crop?: { topLeft?: { x: number }; bottomRight?: { x: number } } | null };
};

/**
 * Widest each asset is drawn, in page units: image shapes' width, widened by their crop
 * (a cropped shape shows part of a larger picture).
 */
function drawnWidths(records: readonly RecordLike[]): Map<string, number> {
  const widths = new Map<string, number>();
  for (const record of records as ImageShape[]) {
    if (record.typeName !== 'shape' || record.type !== 'image' || typeof record.props?.assetId !== 'string') continue;
    const w = Number(record.props.w);
    if (!Number.isFinite(w) || w <= 0) continue;
    const crop = record.props.crop;
    const shown = crop?.topLeft && crop.bottomRight ? Math.max(1e-3, crop.bottomRight.x - crop.topLeft.x) : 1;
    widths.set(record.props.assetId, Math.max(widths.get(record.props.assetId) ?? 0, w / shown));
  }
  return widths;
}

/**
 * The board with this room's asset URLs replaced by `data:` URLs read from the asset
 * store, so exports draw the pictures without fetching anything over the network (and
 * never anything foreign). Pictures and drawings get a JPEG or PNG at twice the size they
 * are drawn at (times the PNG scale); a `.tldr` file gets the original files. An asset
 * that cannot be read keeps its URL, and the renderer draws a placeholder.
 */
export async function embedRoomAssets(
  service: AssetService,
  log: Logger,
  roomId: string,
  board: Board,
  options: EmbedOptions,
): Promise<Board> {
  const tldr = options.format === 'json';
  const widths = drawnWidths(board.records);
  const zoom = 2 * Math.min(4, Math.max(1, options.scale ?? 1));
  let embeddedBytes = 0;
  const records: RecordLike[] = [];
  for (const record of board.records) {
    const id = assetIdOf(record, roomId);
    const drawn = widths.get(record.id);
    if (!id || (!tldr && drawn === undefined)) {
      records.push(record);
      continue;
    }
    try {
      const row = await service.store.get(roomId, id);
      const type = row?.mimeType as AssetMimeType | undefined;
      if (!row || !type || (!tldr && !type.startsWith('image/')) || (tldr && embeddedBytes + Number(row.size) > MAX_TLDR_EMBEDDED_BYTES)) {
        records.push(record);
        continue;
      }
      const original = await readOriginal(service, row);
      if (!original) {
        records.push(record);
        continue;
      }
      const file = tldr ? { bytes: original, type } : await exportImage(original, type, Math.ceil((drawn ?? 1) * zoom));
      embeddedBytes += file.bytes.byteLength;
      const props = record.props as Record<string, unknown>;
      records.push({ ...record, props: { ...props, src: `data:${file.type};base64,${Buffer.from(file.bytes).toString('base64')}` } });
    } catch (error) {
      log.warn({ err: error, roomId, assetId: id }, 'export: an asset could not be embedded; it is drawn as a placeholder');
      records.push(record);
    }
  }
  return { schema: board.schema, records };
}

async function readOriginal(service: AssetService, row: AssetRow): Promise<Uint8Array | undefined> {
  const body = await service.read(row);
  return body ? new Uint8Array(await new Response(body.file.body).arrayBuffer()) : undefined;
}
