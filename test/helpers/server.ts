import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createServer, type ScribleServer, type ServerOverrides } from '../../src/server.ts';
import { createTestStorage, type StorageKind, type TestStorage } from './db.ts';

export const TEST_SECRET = 'test-secret-for-scrible';

export interface TestServerOptions {
  storage?: TestStorage;
  kind?: StorageKind;
  env?: Record<string, string>;
  overrides?: ServerOverrides;
}

export interface TestServer extends ScribleServer {
  storage: TestStorage;
}

/**
 * A real server on 127.0.0.1 and a free port, over its own database. Close it with
 * `server.close()` (and `server.storage.drop()` when done with the data); a second
 * server on the same storage is how tests restart.
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const storage = options.storage ?? (await createTestStorage(options.kind ?? 'postgres'));
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    JWT_SECRET: TEST_SECRET,
    DATA_DIR: storage.dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SNAPSHOT_DEBOUNCE_MS: '100',
    // Tests watch rooms unload as their last client leaves.
    ROOM_KEEP_LOADED_MS: '0',
    SNAPSHOT_MAX_DEBOUNCE_MS: '500',
    WEB_DIR: '/nonexistent',
    ...(storage.databaseUrl ? { DATABASE_URL: storage.databaseUrl } : {}),
    ...options.env,
  });
  const server = await createServer(config, options.overrides);
  await server.listen();
  return Object.assign(server, { storage });
}

/**
 * One server for a whole test file: started before its tests, closed (and its
 * database dropped) after them. The returned object forwards to that server.
 */
export function useTestServer(options: TestServerOptions = {}): TestServer {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(options);
  });
  afterAll(async () => {
    await server?.close();
    await server?.storage.drop();
  });
  return new Proxy({} as TestServer, {
    get: (_target, key) => {
      if (!server) throw new Error('the test server is not started yet (use it inside tests or hooks)');
      const value = Reflect.get(server, key);
      return typeof value === 'function' ? value.bind(server) : value;
    },
  });
}
