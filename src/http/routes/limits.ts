import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app-env.ts';

/**
 * `GET /api/limits`: the sizes this server refuses past, so a client can warn before
 * they bite (the whiteboard warns at 80 % of `maxDocumentBytes`) instead of assuming
 * the defaults. Nothing secret: any client finds them by hitting them.
 */
export function limitsRoute(deps: AppDeps) {
  const { limits, assets } = deps.config;
  const body = {
    maxDocumentBytes: limits.maxDocumentBytes,
    maxMessageBytes: limits.wsMaxMessageBytes,
    maxAssetBytes: assets.maxBytes,
    maxRoomAssetBytes: assets.maxRoomBytes,
  };
  return new Hono<AppEnv>().get('/limits', (c) => {
    // Settings change only with a restart; a few minutes' cache saves a request per board opened.
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(body);
  });
}
