import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/config.ts';
import { createServer, type ScribleServer } from '../../../src/server.ts';

/** A running server for one test file and the way to stop it. */
export interface E2EServer {
  server: ScribleServer;
  /** `http://127.0.0.1:<port>`; the origin every browser page uses. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts Scrible in this process on a free port, with PGlite in a temporary data dir
 * (or PostgreSQL when DATABASE_URL is set), serving the built whiteboard from web/dist;
 * `env` adds or overrides settings.
 */
export async function startE2EServer(env: Record<string, string> = {}): Promise<E2EServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'scrible-e2e-'));
  const server = await createServer(
    loadConfig({
      DATABASE_URL: process.env.DATABASE_URL,
      JWT_SECRET: 'e2e-secret',
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      // The reload test watches the room unload once everyone has left.
      ROOM_KEEP_LOADED_MS: '0',
      ...env,
    }),
  );
  await server.listen();
  return {
    server,
    url: server.url,
    async stop() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
