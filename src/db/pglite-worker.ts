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

const BYTEA = 17;

/**
 * Bytes go to PostgreSQL as they are (binary bind), not as the hex text PGlite's
 * default serializer builds one byte at a time; this thread has the CPU cores'
 * second half at most, and update-log appends are mostly bytes.
 */
// Typed as text only because PGlite types serializers so; its bind step sends any
// byte view in binary format.
const serializers = { [BYTEA]: (value: unknown) => value as string };

async function answer(request: Extract<PgliteRequest, { type: 'query' }>): Promise<void> {
  // Byte columns decoded here own their buffers, so they move to the main thread uncopied.
  const decoded: ArrayBuffer[] = [];
  try {
    const pg = await opened;
    const result = await pg.query(request.sql, request.params, queryOptions(request, decoded));
    port.postMessage({ type: 'result', id: request.id, result } satisfies PgliteReply, decoded);
  } catch (error) {
    port.postMessage({ type: 'error', id: request.id, error: serializeError(error) } satisfies PgliteReply);
  }
}

function queryOptions(request: Extract<PgliteRequest, { type: 'query' }>, decoded: ArrayBuffer[]): QueryOptions {
  const parsers: NonNullable<QueryOptions['parsers']> = {
    // As PGlite's own bytea parser answers (a Uint8Array of its own), decoded natively.
    [BYTEA]: (text: string) => {
      const bytes = new Uint8Array((text.length - 2) / 2);
      Buffer.from(bytes.buffer).write(text.slice(2), 'hex');
      decoded.push(bytes.buffer);
      return bytes;
    },
  };
  for (const oid of request.textTypes ?? []) parsers[oid] = (value: string) => value;
  return { rowMode: request.rowMode, parsers, serializers };
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
