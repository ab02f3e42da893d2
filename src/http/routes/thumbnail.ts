import { Hono } from 'hono';
import { RenderError } from '../../export-jobs/render-pool.ts';
import { isOpenRoom } from '../../rooms/access.ts';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { ApiError, notFound, unauthorized } from '../errors.ts';
import { readBearer } from '../middleware/bearer-auth.ts';
import { findRoom, requireMember } from './room-guards.ts';

/** Whether an If-None-Match header names this ETag (weak comparison, as for GET). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = etag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => {
    const candidate = tag.trim();
    return candidate === '*' || candidate.replace(/^W\//, '') === bare;
  });
}

/**
 * `GET /api/rooms/:roomId/thumbnail`: a PNG of the first page, at most 512 px wide,
 * with an ETag (304 for a matching If-None-Match). Readable as the room is: an open
 * room's by anyone; a private or password room's by its members only, since the
 * picture shows the board itself.
 */
export function thumbnailRoute(deps: AppDeps) {
  return new Hono<AppEnv>().get('/:roomId/thumbnail', async (c) => {
    const room = await findRoom(deps, c.req.param('roomId'));
    if (!isOpenRoom(room)) {
      const user = readBearer(c, deps.tokens);
      if (!user) throw unauthorized('This room is not open to everyone: send a bearer token');
      await requireMember(deps, room, user.sub);
    }
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
    if (matches(c.req.header('if-none-match'), thumbnail.etag)) return c.body(null, 304);
    c.header('Content-Type', 'image/png');
    return c.body(thumbnail.body as Uint8Array<ArrayBuffer>, 200);
  });
}
