/**
 * Worker thread of the render pool: receives a board (plain records, never a Y.Doc)
 * and export options, answers with the file bytes (transferred, not copied) and the
 * warnings about skipped records, which the main thread logs.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { Resvg } from '@resvg/resvg-js';
import { allFontFaces, TextMeasurer } from '../render/fonts.ts';
import { renderExport, renderSvg, validateBoard, type Board, type ExportFile, type ExportOptions } from '../render/index.ts';
import { pngZoom } from '../render/png.ts';

export interface RenderRequest {
  id: number;
  board: Board;
  options: Omit<ExportOptions, 'log'>;
}

export type RenderReply =
  | { id: number; ok: true; body: Uint8Array; contentType: string; extension: string; warnings: RenderWarning[] }
  | { id: number; ok: false; error: string; warnings: RenderWarning[] };

export interface RenderWarning {
  obj: Record<string, unknown>;
  msg: string;
}

// On Linux a thread has its own nice value: rendering yields the CPU to the main
// thread's sync traffic whenever both want it (best effort; ignored where refused).
const nice = (workerData as { nice?: number } | undefined)?.nice ?? 0;
if (nice !== 0) {
  try {
    setPriority(nice);
  } catch {
    // not permitted here: render at normal priority
  }
}

const measurer = new TextMeasurer();

parentPort!.on('message', async (request: RenderRequest) => {
  const warnings: RenderWarning[] = [];
  const log = { warn: (obj: Record<string, unknown>, msg: string) => void warnings.push({ obj, msg }) };
  try {
    const file =
      request.options.format === 'png'
        ? renderPngHere(request.board, request.options, log)
        : await renderExport(request.board, { ...request.options, log });
    const body = file.body;
    const reply: RenderReply = { id: request.id, ok: true, body, contentType: file.contentType, extension: file.extension, warnings };
    parentPort!.postMessage(reply, [body.buffer as ArrayBuffer]);
  } catch (error) {
    const reply: RenderReply = { id: request.id, ok: false, error: error instanceof Error ? error.message : String(error), warnings };
    parentPort!.postMessage(reply);
  }
});

/**
 * PNG as `svgToPng` (src/render/png.ts) makes it, but rasterised synchronously on this
 * thread: `renderAsync` would run on libuv's process-wide thread pool, at normal
 * priority, beside the event loop; here it runs at the worker's lowered priority.
 * Keep the resvg options in step with png.ts.
 */
function renderPngHere(board: Board, options: Omit<ExportOptions, 'log'>, log: ExportOptions['log']): ExportFile {
  const { svg, width, height } = renderSvg(validateBoard(board, log), { ...options, measurer });
  const zoom = pngZoom(width, height, options.scale ?? 1, options.fit);
  const faces = allFontFaces().filter((f) => svg.includes(`"${f.family}"`));
  const image = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: zoom },
    font: { loadSystemFonts: false, fontFiles: faces.map((f) => f.path), defaultFontFamily: 'IBM Plex Sans' },
    imageRendering: 0,
    shapeRendering: 2,
    textRendering: 1,
  }).render();
  return { body: new Uint8Array(image.asPng()), contentType: 'image/png', extension: 'png' };
}
