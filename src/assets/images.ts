import sharp from 'sharp';
import type { AssetMimeType } from './media-types.ts';

/** A decoded image's size as browsers show it (EXIF orientation applied). */
export interface ImageSize {
  width: number;
  height: number;
}

// Decoding a hostile image must stay bounded: ~100 megapixels is a 10,000² photo.
const MAX_INPUT_PIXELS = 100_000_000;

/** Raised when bytes with an image signature cannot be decoded (truncated, corrupt). */
export class UnreadableImageError extends Error {
  override name = 'UnreadableImageError';
}

/**
 * Width and height of an image (of its first frame, for animations).
 * @throws UnreadableImageError when libvips cannot read it.
 */
export async function imageSize(bytes: Uint8Array): Promise<ImageSize> {
  try {
    const metadata = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
    const size = metadata.autoOrient ?? { width: metadata.width, height: metadata.height };
    if (!size.width || !size.height) throw new UnreadableImageError('the image has no size');
    return { width: size.width, height: size.height };
  } catch (error) {
    if (error instanceof UnreadableImageError) throw error;
    throw new UnreadableImageError((error as Error).message);
  }
}

/** Raster types that `?w=` resizes; SVG is vector and is always served as it is. */
const RESIZABLE: ReadonlySet<AssetMimeType> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif']);

export function isResizable(type: AssetMimeType): boolean {
  return RESIZABLE.has(type);
}

/**
 * The width a `?w=<px>` request is served at: the largest power of two ≤ px, so an
 * image has at most a dozen variants however many widths are asked for, and never
 * more than the image's own width (never upscaled). `undefined`: the original.
 */
export function variantWidth(requested: number, originalWidth: number): number | undefined {
  const stepped = 2 ** Math.floor(Math.log2(Math.max(1, requested)));
  return stepped < originalWidth ? stepped : undefined;
}

/** The type a variant is stored as: the original's, except AVIF (slow to encode) becomes WebP. */
export function variantType(type: AssetMimeType): AssetMimeType {
  return type === 'image/avif' ? 'image/webp' : type;
}

/**
 * The image scaled down to `width` (height in proportion), oriented as displayed, in
 * `variantType(type)`; animations stay animated.
 */
export async function resizeImage(bytes: Uint8Array, type: AssetMimeType, width: number): Promise<Uint8Array> {
  const animated = type === 'image/gif' || type === 'image/webp';
  let pipeline = sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, animated }).autoOrient().resize({ width, withoutEnlargement: true });
  switch (variantType(type)) {
    case 'image/png':
      pipeline = pipeline.png();
      break;
    case 'image/jpeg':
      pipeline = pipeline.jpeg({ quality: 85 });
      break;
    case 'image/gif':
      pipeline = pipeline.gif();
      break;
    default:
      pipeline = pipeline.webp({ quality: 85 });
  }
  return new Uint8Array(await pipeline.toBuffer());
}

/**
 * An image for an export to embed: at most `width` wide, oriented, as JPEG (photos stay
 * photos) or PNG, the two types every export format (SVG, PNG through resvg, PDF through
 * PDFKit) can draw. Animations give their first frame; SVG is rasterised.
 */
export async function exportImage(bytes: Uint8Array, type: AssetMimeType, width: number): Promise<{ bytes: Uint8Array; type: string }> {
  const pipeline = sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, ...(type === 'image/svg+xml' ? { density: 144 } : {}) })
    .autoOrient()
    .resize({ width, withoutEnlargement: true });
  if (type === 'image/jpeg') return { bytes: new Uint8Array(await pipeline.jpeg({ quality: 90 }).toBuffer()), type: 'image/jpeg' };
  return { bytes: new Uint8Array(await pipeline.png().toBuffer()), type: 'image/png' };
}
