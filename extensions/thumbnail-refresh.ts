import { isTransactionOrigin, type Extension, type onChangePayload } from '@hocuspocus/server';
import type { Logger } from '../src/log.ts';

export interface ThumbnailRefreshConfiguration {
  /** Renders and stores a room's thumbnail (in the render pool, off the event loop). */
  refresh: (roomId: string) => Promise<unknown>;
  /** Quiet time after a room's last change before its thumbnail is rendered. @default 5000 (ms) */
  debounceMs: number;
  /**
   * A room changing without pause still gets a new thumbnail this often, so a long
   * session does not leave the boards page showing how it started. @default 60000 (ms)
   */
  maxWaitMs: number;
  log: Logger;
}

/**
 * Debounces thumbnail renders per room: one render `debounceMs` after a room's
 * changes stop (API.md: within 15 s). Only changes this instance received count (not
 * those relayed from other instances through Redis): the instance a change came
 * in on renders it, from its live room or, once unloaded, from the database.
 */
export class ThumbnailRefresh implements Extension {
  extensionName = 'scrible-thumbnail-refresh';
  private readonly configuration: ThumbnailRefreshConfiguration;
  /**
   * Rooms waiting for their render. A change only moves `lastChangeAt`; the timer,
   * armed once per wait, re-arms itself for what is left when it fires early: no
   * timer is cleared and made again per update (a hot room sends thousands a second).
   */
  private readonly pending = new Map<string, { timer: NodeJS.Timeout; firstChangeAt: number; lastChangeAt: number }>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(configuration: Pick<ThumbnailRefreshConfiguration, 'refresh' | 'log'> & Partial<ThumbnailRefreshConfiguration>) {
    this.configuration = { debounceMs: 5_000, maxWaitMs: 60_000, ...configuration };
  }

  async onChange({ documentName, transactionOrigin }: onChangePayload): Promise<void> {
    if (this.stopped || (isTransactionOrigin(transactionOrigin) && transactionOrigin.source === 'redis')) return;
    const now = Date.now();
    const waiting = this.pending.get(documentName);
    if (waiting) {
      waiting.lastChangeAt = now;
      return;
    }
    this.pending.set(documentName, {
      timer: this.dueIn(documentName, this.configuration.debounceMs),
      firstChangeAt: now,
      lastChangeAt: now,
    });
  }

  /** True while a render is waiting for its debounce or running (tests wait for this). */
  get busy(): boolean {
    return this.pending.size > 0 || this.inFlight.size > 0;
  }

  /**
   * Drops renders not started (the next change renders again) and waits for running
   * ones. The server calls it before it stops the render pool.
   */
  async stop(): Promise<void> {
    for (const { timer } of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    this.stopped = true;
    await Promise.allSettled(this.inFlight);
  }

  async onDestroy(): Promise<void> {
    await this.stop();
  }

  private dueIn(documentName: string, delay: number): NodeJS.Timeout {
    return setTimeout(() => this.due(documentName), delay).unref();
  }

  /** Renders once the room has been quiet for `debounceMs`, or `maxWaitMs` after its first change. */
  private due(documentName: string): void {
    const wait = this.pending.get(documentName);
    if (!wait) return;
    const { debounceMs, maxWaitMs } = this.configuration;
    const left = Math.min(wait.lastChangeAt + debounceMs, wait.firstChangeAt + maxWaitMs) - Date.now();
    if (left > 0) {
      wait.timer = this.dueIn(documentName, left);
      return;
    }
    this.pending.delete(documentName);
    const render = this.configuration
      .refresh(documentName)
      .catch((error: unknown) => this.configuration.log.warn({ err: error, roomId: documentName }, 'thumbnail render failed'))
      .finally(() => this.inFlight.delete(render));
    this.inFlight.add(render);
  }
}
