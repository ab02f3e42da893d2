/**
 * Rasterises an export SVG to PNG with resvg, using only the fonts shipped with the project
 * (system fonts are never loaded, so output is the same on every machine).
 */
import { renderAsync } from '@resvg/resvg-js';
import { allFontFaces } from './fonts.ts';

/** Smallest and largest raster scale accepted. */
export const MIN_SCALE = 1;
export const MAX_SCALE = 4;

/**
 * Renders SVG text to PNG bytes at `scale` × its own size (off the main thread).
 * @param svg - an SVG from {@link renderSvg}
 * @param scale - 1…4; other values are clamped
 * @example const png = await svgToPng(svg, 2)
 */
export async function svgToPng(svg: string, scale = 1): Promise<Uint8Array> {
  const zoom = Math.min(MAX_SCALE, Math.max(MIN_SCALE, Number.isFinite(scale) ? scale : 1));
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
