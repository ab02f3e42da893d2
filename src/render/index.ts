/**
 * The board renderer's entry point: one call turns a board (from a room or a .tldr file)
 * into an export file in any of the formats the exports API offers.
 */
import { TextMeasurer } from './fonts.ts';
import { svgToPdf } from './pdf.ts';
import { type PngFit, svgToPng } from './png.ts';
import { renderSvg } from './svg/render-svg.ts';
import { toTldrFile } from './tldr.ts';
import type { Board, ExportLog } from './types.ts';
import { validateBoard } from './validate.ts';

export { readBoardFromYDoc, writeBoardToYDoc } from './read-board.ts';
export { parseTldrFile, toTldrFile } from './tldr.ts';
export { renderSvg } from './svg/render-svg.ts';
export { type PngFit, svgToPng } from './png.ts';
export { svgToPdf } from './pdf.ts';
export { validateBoard } from './validate.ts';
export type { Board, ExportLog, PictureOptions, ValidBoard } from './types.ts';

/** Export formats (the `format` field of `POST /api/exports/:roomId`). */
export type ExportFormat = 'json' | 'svg' | 'png' | 'pdf';

/** Options of {@link renderExport}. */
export interface ExportOptions {
  format: ExportFormat;
  /** Page to draw (svg, png, pdf); the first page by index when absent. */
  pageId?: string;
  /** Paint the theme background; transparent when false. @default true */
  background?: boolean;
  /** PNG pixel scale, 1…4. @default 1 */
  scale?: number;
  /** PNG only: scale the picture to fit this box in pixels instead (thumbnails). */
  fit?: PngFit;
  /** Space around the content, in page units. @default 32 */
  padding?: number;
  /** Receives a warning for every record skipped as invalid. */
  log?: ExportLog;
}

/** An export file. */
export interface ExportFile {
  body: Uint8Array;
  contentType: string;
  extension: string;
}

// Fonts are parsed once per process and reused by every export.
const measurer = new TextMeasurer();

/**
 * Renders a board into an export file.
 * @param board - schema and records, e.g. from {@link readBoardFromYDoc}
 * @param options - format, page, background, scale and logger
 * @returns the file bytes, its content type and file extension (without dot)
 * @throws Error when the board is not a tldraw document, its schema cannot be migrated,
 *   the format is unknown, or `pageId` names no page
 * @example
 * const file = await renderExport(readBoardFromYDoc(doc, roomId), { format: 'png', scale: 2, log: logger })
 */
export async function renderExport(board: Board, options: ExportOptions): Promise<ExportFile> {
  const valid = validateBoard(board, options.log);
  if (options.format === 'json') {
    const body = new TextEncoder().encode(JSON.stringify(toTldrFile(valid)));
    return { body, contentType: 'application/vnd.tldraw+json', extension: 'tldr' };
  }
  if (!['svg', 'png', 'pdf'].includes(options.format)) throw new Error(`Unknown export format "${String(options.format)}"`);
  const { svg, width, height } = renderSvg(valid, { ...options, measurer });
  switch (options.format) {
    case 'svg':
      return { body: new TextEncoder().encode(svg), contentType: 'image/svg+xml', extension: 'svg' };
    case 'png':
      return {
        body: await svgToPng(svg, options.scale ?? 1, options.fit && { width, height, fit: options.fit }),
        contentType: 'image/png',
        extension: 'png',
      };
    case 'pdf': {
      const doc = valid.records.find((r) => r.typeName === 'document');
      const title = doc && doc.typeName === 'document' && doc.name ? doc.name : 'Board';
      return { body: await svgToPdf(svg, width, height, title), contentType: 'application/pdf', extension: 'pdf' };
    }
  }
}
