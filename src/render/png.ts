/**
 * Rasterises an export SVG to PNG with resvg, using only the fonts shipped with the project
 * (system fonts are never loaded, so output is the same on every machine).
 */
import { renderAsync } from '@resvg/resvg-js';
import { allFontFaces } from './fonts.ts';

/** Smallest and largest raster scale accepted. */
export const MIN_SCALE = 1;
export const MAX_SCALE = 4;

/** A box a PNG must fit in, in pixels (thumbnails). */
export interface PngFit {
  width: number;
  height: number;
}

/**
 * The raster zoom of a picture `width` × `height` page units: `scale` clamped to 1…4,
 * or, with `fit`, whatever makes it fit the box (down as far as needed, up to 2×).
 */
export function pngZoom(width: number, height: number, scale = 1, fit?: PngFit): number {
  if (fit) return Math.min(2, fit.width / Math.max(1, width), fit.height / Math.max(1, height));
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, Number.isFinite(scale) ? scale : 1));
}

/**
 * Renders SVG text to PNG bytes at `scale` × its own size (off the main thread).
 * @param svg - an SVG from {@link renderSvg}
 * @param scale - 1…4; other values are clamped
 * @param size - the SVG's width and height, and the box to fit it in (overrides `scale`)
 * @example const png = await svgToPng(svg, 2)
 */
export async function svgToPng(svg: string, scale = 1, size?: { width: number; height: number; fit: PngFit }): Promise<Uint8Array> {
  const zoom = size ? pngZoom(size.width, size.height, scale, size.fit) : pngZoom(0, 0, scale);
  // Only the families the picture names are loaded: parsing fonts dominates small renders.
  const faces = allFontFaces().filter((f) => svg.includes(`"${f.family}"`));
  const image = await renderAsync(svg, {
    fitTo: { mode: 'zoom', value: zoom },
    font: { loadSystemFonts: false, fontFiles: faces.map((f) => f.path), defaultFontFamily: 'IBM Plex Sans' },
    imageRendering: 0,
    shapeRendering: 2,
    textRendering: 1,
  });
  return new Uint8Array(image.asPng());
}
