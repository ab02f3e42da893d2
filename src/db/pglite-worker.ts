/**
 * Worker thread that owns the embedded PGlite. WASM PostgreSQL runs each statement
 * synchronously on the thread it lives on; here that is not the event loop that
 * delivers document updates. The main thread (src/db/pglite-thread.ts) decides the
 * order of statements, this thread only runs them in the order they arrive.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type QueryOptions } from '@electric-sql/pglite';

export interface PgliteWorkerData {
  /** The PGlite data directory. */
  dir: string;
}

export type PgliteRequest =
  | {
      type: 'query';
      id: number;
      sql: string;
      params: unknown[] | undefined;
      rowMode: 'array' | 'object' | undefined;
      /** Type OIDs whose values stay the text PostgreSQL sent (Drizzle parses those itself). */
      textTypes: number[] | undefined;
    }
  | { type: 'close' };

/** A database error as plain data: message plus the PostgreSQL fields (code, detail, constraint…). */
export interface SerializedError {
  message: string;
  fields: Record<string, string | number | boolean>;
}

export type PgliteReply =
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; error: SerializedError }
  | { type: 'closed'; error?: SerializedError };

const port = parentPort!;
const { dir } = workerData as PgliteWorkerData;
const opened = PGlite.create(dir);
// Failing to open is answered per query; without this the rejection would also
// count as unhandled and end the thread before any caller hears why.
opened.catch(() => undefined);

/** Statements sent but not answered; close waits for them. */
const running = new Set<Promise<void>>();

port.on('message', (request: PgliteRequest) => {
  if (request.type === 'close') {
    void close();
    return;
  }
  const done = answer(request).finally(() => running.delete(done));
  running.add(done);
});

async function answer(request: Extract<PgliteRequest, { type: 'query' }>): Promise<void> {
  try {
    const pg = await opened;
    const result = await pg.query(request.sql, request.params, queryOptions(request));
    port.postMessage({ type: 'result', id: request.id, result } satisfies PgliteReply);
  } catch (error) {
    port.postMessage({ type: 'error', id: request.id, error: serializeError(error) } satisfies PgliteReply);
  }
}

function queryOptions(request: Extract<PgliteRequest, { type: 'query' }>): QueryOptions | undefined {
  if (!request.rowMode && !request.textTypes) return undefined;
  const options: QueryOptions = { rowMode: request.rowMode };
  if (request.textTypes) options.parsers = Object.fromEntries(request.textTypes.map((oid) => [oid, (value: string) => value]));
  return options;
}

async function close(): Promise<void> {
  let failure: SerializedError | undefined;
  try {
    await Promise.all(running);
    await (await opened).close();
  } catch (error) {
    failure = serializeError(error);
  }
  port.postMessage({ type: 'closed', error: failure } satisfies PgliteReply);
  port.close();
}

/** Structured clone would keep only the message of an Error; callers test `code` (SQLSTATE). */
function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { message: String(error), fields: {} };
  const fields: SerializedError['fields'] = {};
  for (const [key, value] of Object.entries(error)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fields[key] = value;
  }
  return { message: error.message, fields };
}
