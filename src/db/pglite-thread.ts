import { Worker } from 'node:worker_threads';
import type { Results } from '@electric-sql/pglite';
import type { PgliteReply, PgliteRequest, PgliteWorkerData, SerializedError } from './pglite-worker.ts';

/** The part of PGlite's query options that crosses the thread boundary. */
export interface ThreadQueryOptions {
  rowMode?: 'array' | 'object';
  /**
   * Only pass-through parsers are supported (functions cannot cross threads): every
   * type named here comes back as PostgreSQL's text, as Drizzle's PGlite driver asks.
   */
  parsers?: Record<number, unknown>;
}

/** What a transaction callback queries through; the shape Drizzle's PGlite driver uses. */
export interface ThreadTransaction {
  query<T>(sql: string, params?: unknown[], options?: ThreadQueryOptions): Promise<Results<T>>;
}

export interface PgliteThreadOptions {
  /** The PGlite data directory. */
  dir: string;
  /** Told when the worker dies on its own (queries then fail with the same error). */
  onFailure?: (error: Error) => void;
}

interface Pending {
  resolve: (result: Results<unknown>) => void;
  reject: (error: Error) => void;
}

interface Waiter {
  /** A transaction holds the connection until it ends; a lone query only needs its turn to send. */
  exclusive: boolean;
  grant: () => void;
}

const WORKER_URL = new URL('./pglite-worker.ts', import.meta.url);

/**
 * An embedded PGlite running on a worker thread, with the query/transaction surface
 * Drizzle's PGlite driver calls, so rows come back exactly as from an in-process PGlite.
 *
 * Ordering is decided here: the worker runs statements in arrival order, and while a
 * transaction is open only its own statements are sent; other callers wait (in call
 * order) until it commits or rolls back.
 */
export class PgliteThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private readonly waiting: Waiter[] = [];
  private readonly onFailure: ((error: Error) => void) | undefined;
  private nextId = 1;
  private held = false;
  /** Set once the worker is gone (closed or crashed): every later query fails with it. */
  private failure: Error | undefined;
  private closing: Promise<void> | undefined;
  private readonly exited: Promise<void>;

  constructor(options: PgliteThreadOptions) {
    this.onFailure = options.onFailure;
    this.worker = new Worker(WORKER_URL, { workerData: { dir: options.dir } satisfies PgliteWorkerData });
    // Kept referenced only while a query is out, like a socket: an idle database
    // does not hold the process open, a running migration does.
    this.worker.unref();
    this.worker.on('message', (reply: PgliteReply) => this.receive(reply));
    this.worker.on('error', (error) => this.fail(new Error(`Embedded database worker failed: ${error.message}`, { cause: error })));
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', (code) => {
        if (this.closing) this.rejectPending(new Error('The embedded database closed before answering'));
        else this.fail(new Error(`Embedded database worker exited unexpectedly (code ${code})`));
        resolve();
      });
    });
  }

  /** Runs one statement, after any transaction that is open or waiting before it. */
  query<T>(sql: string, params?: unknown[], options?: ThreadQueryOptions): Promise<Results<T>> {
    if (!this.held && this.waiting.length === 0) return this.send<T>(sql, params, options);
    return this.turn(false).then(() => this.send<T>(sql, params, options));
  }

  /**
   * Runs `callback` inside BEGIN … COMMIT, holding the connection: no other caller's
   * statement runs in between. A throw rolls back and rethrows.
   */
  async transaction<T>(callback: (tx: ThreadTransaction) => Promise<T>): Promise<T> {
    if (!this.held && this.waiting.length === 0) this.held = true;
    else await this.turn(true);
    let open = true;
    const tx: ThreadTransaction = {
      query: <R>(sql: string, params?: unknown[], options?: ThreadQueryOptions) =>
        open ? this.send<R>(sql, params, options) : Promise.reject(new Error('The transaction has already ended')),
    };
    try {
      await this.send('BEGIN');
      let result: T;
      try {
        result = await callback(tx);
      } catch (error) {
        // The callback's error is the one to report; a failed ROLLBACK means the
        // worker is gone, and that is reported to every caller anyway.
        await this.send('ROLLBACK').catch(() => undefined);
        throw error;
      }
      // A failed COMMIT ends the transaction too (PostgreSQL rolls it back).
      await this.send('COMMIT');
      return result;
    } finally {
      open = false;
      this.held = false;
      this.wake();
    }
  }

  /** Waits for queries already sent, closes PGlite and ends the thread. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    if (this.failure) return;
    this.failure = new Error('The embedded database is closed');
    this.failWaiting();
    this.worker.ref();
    const closed = new Promise<SerializedError | undefined>((resolve) => {
      const onMessage = (reply: PgliteReply) => {
        if (reply.type !== 'closed') return;
        this.worker.off('message', onMessage);
        resolve(reply.error);
      };
      this.worker.on('message', onMessage);
      // Crashed while closing: nothing more will answer.
      void this.exited.then(() => resolve(undefined));
    });
    this.worker.postMessage({ type: 'close' } satisfies PgliteRequest);
    const error = await closed;
    await this.worker.terminate();
    if (error) throw reviveError(error);
  }

  private send<T>(sql: string, params?: unknown[], options?: ThreadQueryOptions): Promise<Results<T>> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const transfer: ArrayBuffer[] = [];
    const request: PgliteRequest = {
      type: 'query',
      id,
      sql,
      params: params?.map((value) => detachBytes(value, transfer)),
      rowMode: options?.rowMode,
      textTypes: options?.parsers ? Object.keys(options.parsers).map(Number) : undefined,
    };
    return new Promise<Results<T>>((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve: resolve as Pending['resolve'], reject });
      this.worker.postMessage(request, transfer);
    });
  }

  private receive(reply: PgliteReply): void {
    if (reply.type === 'closed') return;
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0 && !this.closing) this.worker.unref();
    if (reply.type === 'result') pending.resolve(reply.result as Results<unknown>);
    else pending.reject(reviveError(reply.error));
  }

  private turn(exclusive: boolean): Promise<void> {
    return new Promise((grant) => this.waiting.push({ exclusive, grant }));
  }

  /**
   * Lets waiters go in call order: queries until the first transaction, which then
   * holds the connection. Grants resolve in this order, so the statements are sent in it.
   */
  private wake(): void {
    while (!this.held && this.waiting.length > 0) {
      const next = this.waiting.shift()!;
      if (next.exclusive) this.held = true;
      next.grant();
    }
  }

  /** The worker died on its own: everyone waiting hears why, and so does every later caller. */
  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.onFailure?.(error);
    this.rejectPending(error);
    this.failWaiting();
  }

  private rejectPending(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  /** Waiters are let go; their send then fails with `failure`. */
  private failWaiting(): void {
    for (const waiter of this.waiting.splice(0)) waiter.grant();
  }
}

/**
 * Bytes are copied into a buffer of their own and moved, not cloned: a clone would
 * copy the whole ArrayBuffer behind a view (a pooled Buffer's 8 KiB slab, say), and
 * moving the caller's own buffer would empty it under the caller.
 */
function detachBytes(value: unknown, transfer: ArrayBuffer[]): unknown {
  if (!(value instanceof Uint8Array)) return value;
  const copy = new Uint8Array(value);
  transfer.push(copy.buffer);
  return copy;
}

function reviveError(serialized: SerializedError): Error {
  const error = new Error(serialized.message);
  Object.assign(error, serialized.fields);
  return error;
}
