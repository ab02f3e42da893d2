import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';

/**
 * What the whiteboard needs and nothing more: its own scripts (no inline script, no
 * eval), inline styles (tldraw positions shapes with style attributes), images and
 * media from itself, `data:` and `blob:` (pasted and exported images), https images
 * and embeds (bookmarks, YouTube and the like), and the API and WebSocket on its own
 * origin. No plug-ins, no framing by other sites, no foreign form targets.
 */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: https:",
  "media-src 'self' data: blob: https:",
  "font-src 'self' data:",
  // tldraw reads its bundled translations and pasted files through fetch() of data: and blob: URLs.
  "connect-src 'self' ws: wss: data: blob:",
  "worker-src 'self' blob:",
  'frame-src https:',
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** JSON answers are never documents: nothing may load from them, nobody may frame them. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * Sets `Content-Security-Policy` on answers that have none: the API's strict one under
 * `/api/`, the whiteboard's elsewhere. A route that set its own (an SVG asset served
 * with `sandbox`) keeps it.
 */
export function contentSecurityPolicy(): MiddlewareHandler<AppEnv> {
  return async function contentSecurityPolicy(c, next) {
    await next();
    if (c.res.headers.has('Content-Security-Policy')) return;
    c.res.headers.set('Content-Security-Policy', c.req.path.startsWith('/api/') ? API_CSP : APP_CSP);
  };
}
