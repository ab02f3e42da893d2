import { Worker } from 'node:worker_threads';
import type { Board, ExportOptions } from '../render/index.ts';
import type { RenderReply, RenderRequest, RenderWarning } from './render-worker.ts';

/** Defaults: EXPORT_RENDER_THREADS, EXPORT_RENDER_TIMEOUT_MS and EXPORT_RENDER_NICE in src/config.ts. */
export interface RenderPoolConfiguration {
  /** Worker threads at most (at least one); also how many renders run at once. */
  size: number;
  /** A render running longer is abandoned and its worker replaced (ms). */
  timeoutMs: number;
  /** Nice value of the render threads (Linux: 0…19, higher yields more). */
  nice: number;
}

/** A rendered export file, with the warnings about skipped records. */
export interface RenderResult {
  body: Uint8Array;
  contentType: string;
  extension: string;
  warnings: RenderWarning[];
}

/** A render that failed because of the board (or the renderer), not the pool. */
export class RenderError extends Error {
  override name = 'RenderError';
  readonly warnings: RenderWarning[];

  constructor(message: string, warnings: RenderWarning[] = []) {
    super(message);
    this.warnings = warnings;
  }
}

interface Slot {
  worker: Worker;
  task?: { id: number; resolve: (result: RenderResult) => void; reject: (error: Error) => void; timer: NodeJS.Timeout };
}

const WORKER_URL = new URL('./render-worker.ts', import.meta.url);

/**
 * A bounded pool of render threads, so rendering never runs on the event loop that
 * serves WebSocket sync. Workers start on first use and are replaced when one dies
 * or overruns. Callers bound their own concurrency to `size`; extra calls queue.
 */
export class RenderPool {
  readonly size: number;
  private readonly configuration: RenderPoolConfiguration;
  private readonly slots: Slot[] = [];
  private readonly queue: Array<() => void> = [];
  private nextId = 1;
  private closed = false;

  constructor(configuration: RenderPoolConfiguration) {
    this.configuration = configuration;
    this.size = Math.max(1, this.configuration.size);
  }

  /**
   * Renders a board in a worker.
   * @throws RenderError when the board cannot be rendered; Error when the pool is closed or a worker died.
   */
  async render(board: Board, options: Omit<ExportOptions, 'log'>): Promise<RenderResult> {
    const slot = await this.acquire();
    try {
      return await new Promise<RenderResult>((resolve, reject) => {
        const id = this.nextId++;
        const timer = setTimeout(() => {
          this.replace(slot, new RenderError(`Rendering took longer than ${this.configuration.timeoutMs} ms`));
        }, this.configuration.timeoutMs);
        slot.task = { id, resolve, reject, timer };
        const request: RenderRequest = { id, board, options };
        slot.worker.postMessage(request);
      });
    } finally {
      this.releaseSlot(slot);
    }
  }

  /** Stops every worker; renders in progress fail. */
  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots.splice(0);
    for (const slot of slots) this.settle(slot, new Error('Render pool closed'));
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private async acquire(): Promise<Slot> {
    for (;;) {
      if (this.closed) throw new Error('Render pool closed');
      const idle = this.slots.find((slot) => !slot.task);
      if (idle) return idle;
      if (this.slots.length < this.size) {
        const slot = this.spawn();
        this.slots.push(slot);
        return slot;
      }
      await new Promise<void>((resolve) => this.queue.push(resolve));
    }
  }

  private releaseSlot(slot: Slot): void {
    slot.task = undefined;
    this.queue.shift()?.();
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_URL, { workerData: { nice: this.configuration.nice } });
    const slot: Slot = { worker };
    worker.on('message', (reply: RenderReply) => {
      if (slot.task?.id !== reply.id) return;
      if (reply.ok)
        this.settle(slot, undefined, {
          body: reply.body,
          contentType: reply.contentType,
          extension: reply.extension,
          warnings: reply.warnings,
        });
      else this.settle(slot, new RenderError(reply.error, reply.warnings));
    });
    worker.on('error', (error) => this.replace(slot, new Error(`Render worker failed: ${error.message}`)));
    worker.on('exit', (code) => {
      if (!this.closed) this.replace(slot, new Error(`Render worker exited with code ${code}`));
    });
    worker.unref();
    return slot;
  }

  /** Fails the slot's task and drops its worker; the next render starts a fresh one. */
  private replace(slot: Slot, error: Error): void {
    const index = this.slots.indexOf(slot);
    if (index === -1) return;
    this.slots.splice(index, 1);
    this.settle(slot, error);
    void slot.worker.terminate();
    this.queue.shift()?.();
  }

  private settle(slot: Slot, error: Error | undefined, result?: RenderResult): void {
    const task = slot.task;
    if (!task) return;
    clearTimeout(task.timer);
    if (error) task.reject(error);
    else task.resolve(result!);
  }
}
