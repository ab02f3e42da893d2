import { type Context, Hono } from 'hono';
import type { Thumbnail } from '../../export-jobs/index.ts';
import { RenderError } from '../../export-jobs/render-pool.ts';
import { isOpenRoom } from '../../rooms/access.ts';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { etagMatches } from '../../assets/byte-range.ts';
import { ApiError, badRequest, notFound } from '../errors.ts';
import { findRoom } from './room-guards.ts';
import { readToken, roleOf } from './token-access.ts';

/**
 * `GET /api/rooms/:roomId/thumbnail`: a PNG of the first page, at most 512 px wide,
 * with an ETag (304 for a matching If-None-Match). Readable as the room is: an open
 * room's by anyone; a private or password room's by its members only (a bearer or
 * `?token=` user or room token), since the picture shows the board itself.
 */
export function thumbnailRoute(deps: AppDeps) {
  return new Hono<AppEnv>().get('/:roomId/thumbnail', async (c) => {
    const room = await findRoom(deps, c.req.param('roomId'));
    // `?token=` too: the boards page shows it in an <img>, which sends no header.
    if (!isOpenRoom(room)) await roleOf(deps, room, readToken(c, true));
    let thumbnail: Thumbnail | undefined;
    try {
      thumbnail = await deps.exports.thumbnails.get(room.id);
    } catch (error) {
      if (error instanceof RenderError) throw new ApiError(422, 'board-unreadable', `The board cannot be drawn: ${error.message}`);
      throw error;
    }
    if (!thumbnail) throw notFound(`Room ${room.id} does not exist`, 'room-not-found');
    // Revalidated on every use: the picture follows the board.
    return sendPicture(c, thumbnail, 'private, no-cache');
  });
}

/**
 * `GET /api/rooms/:roomId/snapshots/:version/preview`: the history panel's picture of a
 * stored version, drawn like the thumbnail. For whoever may open the room (they could
 * fork that version anyway), with a bearer or `?token=` token. A version never changes,
 * so the picture is cached for good.
 */
export function versionPreviewRoute(deps: AppDeps) {
  return new Hono<AppEnv>().get('/:roomId/snapshots/:version/preview', async (c) => {
    const room = await findRoom(deps, c.req.param('roomId'));
    await roleOf(deps, room, readToken(c, true));
    const version = Number(c.req.param('version'));
    if (!Number.isInteger(version) || version < 1) throw badRequest('version must be a positive whole number');
    if (!(await deps.snapshots.has(room.id, version))) throw notFound(`Room ${room.id} has no version ${version}`, 'version-not-found');
    let preview: Thumbnail;
    try {
      preview = await deps.exports.thumbnails.version(room.id, version);
    } catch (error) {
      if (error instanceof RenderError) throw new ApiError(422, 'board-unreadable', `The version cannot be drawn: ${error.message}`);
      throw error;
    }
    return sendPicture(c, preview, 'private, max-age=31536000, immutable');
  });
}

/** A PNG with its ETag: 304 when the client has it already. */
function sendPicture(c: Context<AppEnv>, picture: Thumbnail, cacheControl: string) {
  c.header('Cache-Control', cacheControl);
  c.header('ETag', picture.etag);
  if (etagMatches(c.req.header('if-none-match'), picture.etag)) return c.body(null, 304);
  c.header('Content-Type', 'image/png');
  return c.body(picture.body as Uint8Array<ArrayBuffer>, 200);
}
