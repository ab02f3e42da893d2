import { type Db, drizzleAppender, type UpdateAppender } from '../db/client.ts';
import { FOREIGN_KEY_VIOLATION, hasSqlState, toBuffer } from '../db/rows.ts';
import type { Logger } from '../log.ts';

export interface UpdateLogOptions {
  /** Reads and compaction. */
  db: Db;
  /** Inserts appended rows (`Database.appendUpdates`: its own pool, one statement). @default `drizzleAppender(db)` */
  insertRows?: UpdateAppender;
  log: Logger;
  /** Longest an append keeps retrying while the database is away before it fails. @default 15000 (ms) */
  maxRetryMs?: number;
  /** First wait between retries, doubled per failure up to 1 s. @default 50 (ms) */
  retryInitialDelayMs?: number;
  /** Rows in one INSERT at most; a longer queue is split. @default 500 */
  maxBatchRows?: number;
  /**
   * INSERTs in flight at once. Two let the next batch travel while the previous one
   * waits for its commit to reach the disk. @default 2
   */
  maxInFlight?: number;
  /**
   * Bytes of updates waiting for their INSERT at most. Past it, `hasRoomFor` says no
   * and callers refuse new updates instead of queueing without bound while the
   * database is slow or away. @default 33554432 (32 MiB)
   */
  maxQueuedBytes?: number;
  /** Called after every flush with its size and duration, for metrics. */
  onFlush?: (rows: number, ms: number, ok: boolean) => void;
}

interface Pending {
  roomId: string;
  update: Buffer;
  resolve: (stored: boolean) => void;
  reject: (error: unknown) => void;
  firstTriedAt: number;
}

/**
 * The append-only log of accepted updates, written with group commit: appends that
 * arrive while the INSERTs in flight (at most `maxInFlight`) are busy go into the next
 * single INSERT, so a thousand updates a second cost a handful of transactions.
 *
 * An append resolves once it is committed (with false when its room has been
 * deleted meanwhile). While the database is away, appends are retried
 * with backoff and reject only after `maxRetryMs`: nothing is acknowledged that is
 * not stored.
 */
export class UpdateLog {
  private readonly db: Db;
  private readonly insertRows: UpdateAppender;
  /** A flush is due at the end of this event-loop turn. */
  private flushScheduled = false;
  private readonly log: Logger;
  private readonly maxRetryMs: number;
  private readonly retryInitialDelayMs: number;
  private readonly maxBatchRows: number;
  private readonly onFlush: UpdateLogOptions['onFlush'];
  private queue: Pending[] = [];
  private readonly maxQueuedBytes: number;
  /** Bytes of every append not yet settled (queued or in an INSERT in flight). */
  private queuedBytes = 0;
  private readonly maxInFlight: number;
  private inFlight = 0;
  private retryDelay = 0;
  private closed = false;

  constructor(options: UpdateLogOptions) {
    this.db = options.db;
    this.insertRows = options.insertRows ?? drizzleAppender(options.db);
    this.log = options.log;
    this.maxRetryMs = options.maxRetryMs ?? 15_000;
    this.retryInitialDelayMs = options.retryInitialDelayMs ?? 50;
    this.maxBatchRows = options.maxBatchRows ?? 500;
    this.maxInFlight = options.maxInFlight ?? 2;
    this.maxQueuedBytes = options.maxQueuedBytes ?? 32 * 1024 * 1024;
    this.onFlush = options.onFlush;
  }

  /**
   * Whether an update of `bytes` may be appended now. An empty queue takes any size
   * (one message is bounded by the frame limit), so an update is never refused forever.
   */
  hasRoomFor(bytes: number): boolean {
    return this.queuedBytes === 0 || this.queuedBytes + bytes <= this.maxQueuedBytes;
  }

  /** Durably appends one update of a room. */
  append(roomId: string, update: Uint8Array): Promise<boolean> {
    if (this.closed) return Promise.reject(new Error('update log is closed'));
    const bytes = update.byteLength;
    this.queuedBytes += bytes;
    return new Promise<boolean>((resolve, reject) => {
      const settle = () => {
        this.queuedBytes -= bytes;
      };
      this.queue.push({
        roomId,
        update: toBuffer(update),
        resolve: (stored) => {
          settle();
          resolve(stored);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
        firstTriedAt: performance.now(),
      });
      this.scheduleFlush();
    });
  }

  /**
   * Refuses later appends and waits for queued ones to settle, until `deadline`
   * (ms since epoch): then whatever is still queued is rejected (not acknowledged,
   * so its clients still hold it and resend it after the restart).
   */
  async close(deadline = Number.POSITIVE_INFINITY): Promise<void> {
    this.closed = true;
    while ((this.inFlight > 0 || this.queue.length > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const abandoned = this.queue.splice(0);
    for (const pending of abandoned) pending.reject(new Error('update log closed before this update was stored'));
  }

  /**
   * Flushes once the event loop has read this turn's messages and broadcast them:
   * the updates that arrived together go into one INSERT, built after the readers
   * have their frames. Hocuspocus broadcasts from a `setImmediate` queued when it
   * applies an update, which is after the append that scheduled this flush; a
   * `setImmediate` queued from inside one runs on the next turn of the loop, so
   * after those broadcasts (and with whatever that turn's poll phase read).
   */
  private scheduleFlush(): void {
    if (this.flushScheduled || this.inFlight >= this.maxInFlight) return;
    this.flushScheduled = true;
    setImmediate(() =>
      setImmediate(() => {
        this.flushScheduled = false;
        if (this.inFlight < this.maxInFlight && this.queue.length > 0) void this.flush();
      }),
    );
  }

  private async flush(): Promise<void> {
    this.inFlight++;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatchRows);
        const started = performance.now();
        try {
          const stored = await this.insert(batch);
          this.onFlush?.(batch.length, performance.now() - started, true);
          batch.forEach((pending, i) => pending.resolve(stored[i]!));
          this.retryDelay = 0;
        } catch (error) {
          this.onFlush?.(batch.length, performance.now() - started, false);
          await this.retryLater(batch, error);
        }
      }
    } finally {
      this.inFlight--;
    }
  }

  /** @returns per row whether it was stored (false: its room was deleted meanwhile). */
  private async insert(batch: Pending[]): Promise<boolean[]> {
    try {
      await this.insertRows(batch);
      return batch.map(() => true);
    } catch (error) {
      if (!hasSqlState(error, FOREIGN_KEY_VIOLATION)) throw error;
      // A room in the batch was deleted: store the others one by one.
      const stored: boolean[] = [];
      for (const row of batch) {
        try {
          await this.insertRows([row]);
          stored.push(true);
        } catch (rowError) {
          if (!hasSqlState(rowError, FOREIGN_KEY_VIOLATION)) throw rowError;
          stored.push(false);
        }
      }
      return stored;
    }
  }

  private async retryLater(batch: Pending[], error: unknown): Promise<void> {
    const now = performance.now();
    const expired = batch.filter((pending) => now - pending.firstTriedAt >= this.maxRetryMs || this.closed);
    const retry = batch.filter((pending) => !expired.includes(pending));
    for (const pending of expired) pending.reject(error);
    this.retryDelay = Math.min(Math.max(this.retryDelay * 2, this.retryInitialDelayMs), 1_000);
    this.log.warn({ err: error, rows: batch.length, failed: expired.length, retryInMs: this.retryDelay }, 'update log append failed');
    // Back at the front, in order, ahead of anything that arrived meanwhile.
    this.queue.unshift(...retry);
    if (retry.length > 0) await new Promise((resolve) => setTimeout(resolve, this.retryDelay));
  }
}
