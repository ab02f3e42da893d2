import { existsSync } from 'node:fs';
import path from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { logSecurityEvent } from '../log.ts';
import type { AppDeps, AppEnv } from './app-env.ts';
import { ApiError, errorBody } from './errors.ts';
import { compileTrustedProxies, isOriginAllowed, resolveClientAddress } from '../net/origin.ts';
import { contentSecurityPolicy } from './middleware/content-security-policy.ts';
import { rateLimit } from './middleware/rate-limit.ts';
import { assetRoutes } from './routes/assets.ts';
import { authRoutes } from './routes/auth.ts';
import { documentRoutes } from './routes/document.ts';
import { exportsRoutes } from './routes/exports.ts';
import { healthRoutes } from './routes/health.ts';
import { limitsRoute } from './routes/limits.ts';
import { openApiRoutes } from './routes/openapi.ts';
import { roomsRoutes } from './routes/rooms.ts';
import { snapshotRoutes } from './routes/snapshots.ts';
import { thumbnailRoute, versionPreviewRoute } from './routes/thumbnail.ts';
import { versionRoutes } from './routes/versions.ts';
import { webhookRoutes } from './routes/webhooks.ts';

const ASSET_UPLOAD_PATH = /^\/api\/rooms\/[^/]+\/assets\/?$/;
const ASSET_FILE_PATH = /^\/api\/rooms\/[^/]+\/assets\/[^/]+$/;

/**
 * The REST app: middleware in the order a request meets it, one `route()` per
 * resource, and one `onError` that turns every failure into API.md's error shape.
 */
export function createApp(deps: AppDeps) {
  const { config, metrics, log } = deps;
  const app = new Hono<AppEnv>();
  const trustProxy = compileTrustedProxies(config.trustedProxies);

  app.use(async function clientIp(c, next) {
    const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
    c.set('clientIp', resolveClientAddress(incoming?.socket?.remoteAddress, c.req.header('x-forwarded-for'), trustProxy));
    await next();
  });
  app.use(async function requestMetrics(c, next) {
    const started = performance.now();
    await next();
    metrics.httpDuration.observe(
      { method: c.req.method, route: c.req.routePath, status: String(c.res.status) },
      (performance.now() - started) / 1000,
    );
  });
  app.use(secureHeaders({ crossOriginResourcePolicy: 'same-site' }));
  app.use(contentSecurityPolicy());
  app.use(
    '/api/*',
    cors({
      origin: (origin, c) => (isOriginAllowed(origin, config.corsOrigins, c.req.header('host')) ? origin : null),
      allowHeaders: ['Authorization', 'Content-Type'],
      allowMethods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
      maxAge: 600,
    }),
  );
  app.use('/api/*', async function refuseForeignOrigin(c, next) {
    // CORS headers only stop browsers from reading answers; refuse the request too.
    if (!isOriginAllowed(c.req.header('origin'), config.corsOrigins, c.req.header('host'))) {
      throw new ApiError(403, 'origin-not-allowed', 'This origin is not in CORS_ORIGINS');
    }
    await next();
  });
  const apiBodyLimit = bodyLimit({
    maxSize: config.limits.httpMaxBodyBytes,
    onError: () => {
      throw new ApiError(413, 'payload-too-large', `Request bodies are limited to ${config.limits.httpMaxBodyBytes} bytes`);
    },
  });
  app.use('/api/*', async function limitBody(c, next) {
    // Uploads have their own limit (MAX_ASSET_BYTES), counted while they stream.
    if (c.req.method === 'POST' && ASSET_UPLOAD_PATH.test(c.req.path)) return next();
    return apiBodyLimit(c, next);
  });
  const apiRate = rateLimit({ ...config.limits.api, log, name: 'api' });
  // A board that opens loads all its pictures at once: asset reads have their own allowance.
  const assetReadRate = rateLimit({ ...config.limits.assetReads, log, name: 'asset reads' });
  app.use('/api/*', async function limitRate(c, next) {
    if ((c.req.method === 'GET' || c.req.method === 'HEAD') && ASSET_FILE_PATH.test(c.req.path)) return assetReadRate(c, next);
    return apiRate(c, next);
  });

  app.route('/', healthRoutes(deps));
  app.route('/api/auth', authRoutes(deps));
  app.route('/api/rooms', roomsRoutes(deps));
  app.route('/api/rooms', snapshotRoutes(deps));
  app.route('/api/rooms', versionRoutes(deps));
  app.route('/api/rooms', thumbnailRoute(deps));
  app.route('/api/rooms', versionPreviewRoute(deps));
  app.route('/api/rooms', documentRoutes(deps));
  app.route('/api/rooms', webhookRoutes(deps));
  app.route('/api/rooms', assetRoutes(deps));
  app.route('/api/exports', exportsRoutes(deps));
  app.route('/api', openApiRoutes());
  app.route('/api', limitsRoute(deps));

  serveWhiteboard(app, config.webDir);

  app.notFound((c) => c.json(errorBody('not-found', `No route for ${c.req.method} ${c.req.path}`), 404));
  app.onError((error, c) => {
    if (error instanceof ApiError) {
      if (error.code === 'invalid-name') {
        logSecurityEvent(log, { type: 'input-refused', ip: c.get('clientIp'), reason: `${c.req.method} ${c.req.path}: ${error.message}` });
      }
      // The rest of an oversized body is never read: close the connection rather
      // than leave unread bytes in front of the next request on it.
      if (error.status === 413) c.header('Connection', 'close');
      return c.json(errorBody(error.code, error.message), error.status);
    }
    if (error instanceof HTTPException) {
      const status = error.status;
      const code = status === 400 ? 'bad-request' : status === 401 ? 'unauthorized' : status === 413 ? 'payload-too-large' : 'http-error';
      return c.json(errorBody(code, error.message || 'Bad request'), status);
    }
    log.error({ err: error, method: c.req.method, path: c.req.path }, 'unhandled error in request');
    return c.json(errorBody('internal', 'Internal server error'), 500);
  });
  return app;
}

/** The built tldraw app at `/` and its client-side routes, when it has been built. */
function serveWhiteboard(app: Hono<AppEnv>, webDir: string): void {
  const root = path.resolve(webDir);
  if (!existsSync(path.join(root, 'index.html'))) return;
  const relativeRoot = path.relative(process.cwd(), root) || '.';
  app.use('/assets/*', serveStatic({ root: relativeRoot }));
  app.get('/', serveStatic({ root: relativeRoot, path: 'index.html' }));
  app.get('/r/*', serveStatic({ root: relativeRoot, path: 'index.html' }));
  app.get('/*', serveStatic({ root: relativeRoot }));
}
