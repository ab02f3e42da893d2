import { Hono } from 'hono';
import { RenderError } from '../../export-jobs/render-pool.ts';
import { isOpenRoom } from '../../rooms/access.ts';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { etagMatches } from '../../assets/byte-range.ts';
import { ApiError, notFound } from '../errors.ts';
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
    let thumbnail: Awaited<ReturnType<typeof deps.exports.thumbnails.get>>;
    try {
      thumbnail = await deps.exports.thumbnails.get(room.id);
    } catch (error) {
      if (error instanceof RenderError) throw new ApiError(422, 'board-unreadable', `The board cannot be drawn: ${error.message}`);
      throw error;
    }
    if (!thumbnail) throw notFound(`Room ${room.id} does not exist`, 'room-not-found');
    // Revalidated on every use: the picture follows the board.
    c.header('Cache-Control', 'private, no-cache');
    c.header('ETag', thumbnail.etag);
    if (etagMatches(c.req.header('if-none-match'), thumbnail.etag)) return c.body(null, 304);
    c.header('Content-Type', 'image/png');
    return c.body(thumbnail.body as Uint8Array<ArrayBuffer>, 200);
  });
}
