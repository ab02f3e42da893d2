import { randomBytes } from 'node:crypto';
import { onTestFinished } from 'vitest';
import { createTestStorage, REDIS_URL, type TestStorage } from './db.ts';
import { startTestServer, type TestServer } from './server.ts';

/** A Redis key prefix of its own, so test files share the Redis server safely. */
export function testPrefix(): string {
  return `scrible-test-${randomBytes(4).toString('hex')}`;
}

export interface TestCluster {
  servers: TestServer[];
  storage: TestStorage;
  prefix: string;
}

/**
 * `count` in-process instances on one PostgreSQL database and one Redis (shared
 * server, private prefix), as `REDIS_URL` deployments run. Closed and dropped
 * when the test ends.
 */
export async function startCluster(count = 2, options: { redisUrl?: string; env?: Record<string, string> } = {}): Promise<TestCluster> {
  const storage = await createTestStorage('postgres');
  const prefix = testPrefix();
  const servers: TestServer[] = [];
  onTestFinished(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await storage.drop();
  });
  for (let i = 0; i < count; i++) {
    servers.push(
      await startTestServer({
        storage,
        env: { REDIS_URL: options.redisUrl ?? REDIS_URL, REDIS_PREFIX: prefix, INSTANCE_ID: `instance-${i + 1}`, ...options.env },
      }),
    );
  }
  return { servers, storage, prefix };
}
