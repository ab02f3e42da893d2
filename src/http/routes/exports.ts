import { Hono } from 'hono';
import { z } from 'zod';
import type { ExportRow } from '../../db/schema.ts';
import { EXPORT_FORMATS, toExportView } from '../../export-jobs/index.ts';
import { KeyedRateLimiter } from '../../limits/token-bucket.ts';
import { logSecurityEvent } from '../../log.ts';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { ApiError, notFound } from '../errors.ts';
import { bearerAuth } from '../middleware/bearer-auth.ts';
import { jsonBody } from '../validate.ts';
import { findRoom, requireMember } from './room-guards.ts';

export const createExportBody = z.strictObject({
  format: z.enum(EXPORT_FORMATS),
  pageId: z
    .string()
    .regex(/^page:/, 'must be a page id (page:…)')
    .max(200)
    .optional(),
  background: z.boolean().optional(),
  scale: z.number().min(1).max(4).optional(),
  /** A stored version (`GET /api/rooms/:id/snapshots`) to draw instead of the live board. */
  version: z.number().int().min(1).optional(),
});

/** Content types of the stored files, by format (the file route answers with these). */
const CONTENT_TYPES: Record<string, { type: string; extension: string }> = {
  json: { type: 'application/vnd.tldraw+json', extension: 'tldr' },
  svg: { type: 'image/svg+xml', extension: 'svg' },
  png: { type: 'image/png', extension: 'png' },
  pdf: { type: 'application/pdf', extension: 'pdf' },
};

/**
 * `/api/exports`: enqueue an export of a room, follow it, download its file. Members
 * of the room only; the file of an export that is not `completed` is 409.
 */
export function exportsRoutes(deps: AppDeps) {
  const auth = bearerAuth(deps.tokens);
  const { exports } = deps;
  // Per user, not per address: rendering costs CPU and storage whoever asks.
  const requests = new KeyedRateLimiter(deps.config.limits.exports);

  /** The export, if the caller may see it: unknown (or malformed) ids are 404. */
  async function findExport(exportId: string, userId: string): Promise<ExportRow> {
    const row = await exports.store.get(exportId);
    if (!row?.roomId) throw notFound(`Export ${exportId.slice(0, 40)} does not exist`, 'export-not-found');
    await requireMember(deps, await findRoom(deps, row.roomId), userId);
    return row;
  }

  return new Hono<AppEnv>()
    .post('/:roomId', auth, jsonBody(createExportBody), async (c) => {
      const room = await findRoom(deps, c.req.param('roomId'));
      const user = c.get('user');
      await requireMember(deps, room, user.sub);
      if (!requests.take(user.sub)) {
        logSecurityEvent(deps.log, { type: 'rate-limited', ip: c.get('clientIp'), userId: user.sub, roomId: room.id, reason: 'exports' });
        throw new ApiError(429, 'rate-limited', 'Too many exports requested; try again later');
      }
      const { format, ...options } = c.req.valid('json');
      if (options.version !== undefined && !(await deps.snapshots.has(room.id, options.version))) {
        throw notFound(`Room ${room.id} has no version ${options.version}`, 'version-not-found');
      }
      const row = await exports.store.create({ roomId: room.id, format, requestedBy: user.sub, options });
      exports.kick();
      c.header('Location', `/api/exports/${row.id}`);
      return c.json(toExportView(row), 202);
    })
    .get('/:exportId', auth, async (c) => {
      const row = await findExport(c.req.param('exportId'), c.get('user').sub);
      return c.json(toExportView(row));
    })
    .get('/:exportId/file', auth, async (c) => {
      const row = await findExport(c.req.param('exportId'), c.get('user').sub);
      if (row.status !== 'completed' || !row.fileKey) {
        throw new ApiError(409, 'export-not-ready', `Export ${row.id} is ${row.status}; its file exists once it is completed`);
      }
      const file = await exports.files.get(row.fileKey);
      if (!file) throw notFound(`The file of export ${row.id} is gone`, 'export-file-missing');
      const kind = CONTENT_TYPES[row.format] ?? { type: 'application/octet-stream', extension: 'bin' };
      c.header('Content-Type', kind.type);
      c.header('Content-Disposition', `attachment; filename="${row.roomId}-${row.id.slice(0, 8)}.${kind.extension}"`);
      c.header('Cache-Control', 'private, max-age=3600');
      if (file.size !== undefined) c.header('Content-Length', String(file.size));
      return c.body(file.body);
    });
}
