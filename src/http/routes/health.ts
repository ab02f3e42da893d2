import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app-env.ts';

const CHECK_TIMEOUT_MS = 2_000;

/** Liveness, readiness and Prometheus metrics. */
export function healthRoutes(deps: AppDeps) {
  const checks = [{ name: 'database', check: () => deps.database.ping() }, ...deps.readinessChecks];
  return new Hono<AppEnv>()
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .get('/readyz', async (c) => {
      const results = await Promise.all(
        checks.map(async ({ name, check }) => {
          try {
            await withTimeout(check(), CHECK_TIMEOUT_MS);
            return [name, 'ok'] as const;
          } catch (error) {
            return [name, error instanceof Error ? error.message : 'unavailable'] as const;
          }
        }),
      );
      const ready = results.every(([, state]) => state === 'ok');
      return c.json({ status: ready ? 'ok' : 'unavailable', checks: Object.fromEntries(results) }, ready ? 200 : 503);
    })
    .get('/metrics', async (c) => {
      deps.metrics.connections.set(deps.hocuspocus.getConnectionsCount());
      deps.metrics.documentsLoaded.set(deps.hocuspocus.getDocumentsCount());
      c.header('Content-Type', deps.metrics.registry.contentType);
      return c.body(await deps.metrics.registry.metrics());
    });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
