/**
 * Worker thread of the render pool: receives a board (plain records, never a Y.Doc)
 * and export options, answers with the file bytes (transferred, not copied) and the
 * warnings about skipped records, which the main thread logs.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { renderExport, type Board, type ExportOptions } from '../export/index.ts';

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

parentPort!.on('message', async (request: RenderRequest) => {
  const warnings: RenderWarning[] = [];
  const log = { warn: (obj: Record<string, unknown>, msg: string) => void warnings.push({ obj, msg }) };
  try {
    const file = await renderExport(request.board, { ...request.options, log });
    const body = file.body;
    const reply: RenderReply = { id: request.id, ok: true, body, contentType: file.contentType, extension: file.extension, warnings };
    parentPort!.postMessage(reply, [body.buffer as ArrayBuffer]);
  } catch (error) {
    const reply: RenderReply = { id: request.id, ok: false, error: error instanceof Error ? error.message : String(error), warnings };
    parentPort!.postMessage(reply);
  }
});
