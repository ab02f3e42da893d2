import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * The embedded database's thread: PGlite (PostgreSQL compiled to WASM) behind a
 * PostgreSQL wire-protocol socket. Every query and every page of WASM work runs
 * here, so the server's event loop only moves bytes, exactly as with a real
 * PostgreSQL server. One client connection: PGlite has one session, and one
 * connection keeps transactions and the extended query protocol unshared.
 */
export interface PgliteServerData {
  /** PGlite's data directory. */
  dataDir: string;
  /** Unix socket the server listens on (postgres.js connects with `path`). */
  socketPath: string;
}

if (!parentPort) throw new Error('pglite-server.ts runs as a worker thread');
const port = parentPort;
const { dataDir, socketPath } = workerData as PgliteServerData;

try {
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 1 });
  await server.start();
  port.on('message', (message: unknown) => {
    if (message !== 'stop') return;
    server
      .stop()
      .then(() => db.close())
      .then(
        () => port.postMessage({ stopped: true }),
        (error: unknown) => port.postMessage({ stopped: true, error: String(error) }),
      );
  });
  port.postMessage({ ready: true });
} catch (error) {
  port.postMessage({ ready: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}
