import { Hono } from 'hono';
import type { AssetRow, RoomRow } from '../../db/schema.ts';
import { AssetQuotaError, AssetRoomGoneError, type AssetService, toAssetView, UnsupportedAssetError } from '../../assets/index.ts';
import { etagMatches, parseRange } from '../../assets/byte-range.ts';
import { servedWidth } from '../../assets/asset-service.ts';
import { BadUploadError, BodyTooLargeError, readUpload } from '../../assets/upload-body.ts';
import { KeyedRateLimiter } from '../../limits/token-bucket.ts';
import { logSecurityEvent } from '../../log.ts';
import { canWrite, isOpenRoom } from '../../rooms/access.ts';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { ApiError, badRequest, forbidden, notFound } from '../errors.ts';
import { findRoom } from './room-guards.ts';
import { readToken, roleOf } from './token-access.ts';

/** Once fetched, an asset never changes (its URL names its bytes). */
const CACHE_CONTROL = 'private, max-age=31536000, immutable';
const MAX_WIDTH = 16_384;

/** `?w=`: a whole number of pixels, 1 to 16384. */
function requestedWidth(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > MAX_WIDTH) {
    throw badRequest(`w must be a whole number of pixels from 1 to ${MAX_WIDTH}`, 'validation-failed');
  }
  return Number(value);
}

async function findAsset(service: AssetService, room: RoomRow, assetId: string): Promise<AssetRow> {
  const row = await service.store.get(room.id, assetId);
  if (!row) throw notFound(`Room ${room.id} has no asset ${assetId.slice(0, 64)}`, 'asset-not-found');
  return row;
}

/**
 * `/api/rooms/:roomId/assets`: images and videos of a board, kept out of its document
 * (API.md "Assets"). Uploads come from owners and editors (user or room token); files
 * are read by whoever can open the room, with `?token=` for `<img>` and `<video>`.
 */
export function assetRoutes(deps: AppDeps) {
  const { service } = deps.assets;
  const limits = deps.config.assets;
  // Per user: storage costs the same whichever address an upload comes from.
  const uploads = new KeyedRateLimiter(limits.uploads);

  return new Hono<AppEnv>()
    .post('/:roomId/assets', async (c) => {
      const room = await findRoom(deps, c.req.param('roomId'));
      const { role, userId } = await roleOf(deps, room, readToken(c, false));
      if (!canWrite(role)) throw forbidden('Viewers cannot upload files', 'read-only');
      const ip = c.get('clientIp');
      const refuse = (reason: string) => logSecurityEvent(deps.log, { type: 'upload-refused', ip, userId, roomId: room.id, reason });
      if (!uploads.take(userId)) {
        logSecurityEvent(deps.log, { type: 'rate-limited', ip, userId, roomId: room.id, reason: 'asset uploads' });
        throw new ApiError(429, 'rate-limited', 'Too many uploads; try again later');
      }
      let bytes: Uint8Array;
      try {
        bytes = await readUpload(c.req.raw, limits.maxBytes);
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          refuse(`larger than MAX_ASSET_BYTES (${limits.maxBytes})`);
          throw new ApiError(413, 'payload-too-large', error.message);
        }
        if (error instanceof BadUploadError) throw badRequest(error.message, 'invalid-upload');
        throw error;
      }
      try {
        const { row } = await service.upload(room.id, userId, bytes);
        return c.json(toAssetView(row, deps.publicUrl()), 201);
      } catch (error) {
        if (error instanceof UnsupportedAssetError) {
          refuse('type not allowed');
          throw new ApiError(415, 'unsupported-media-type', error.message);
        }
        if (error instanceof AssetQuotaError) {
          refuse('room quota (MAX_ROOM_ASSET_BYTES)');
          throw new ApiError(413, 'room-quota-exceeded', error.message);
        }
        if (error instanceof AssetRoomGoneError) throw notFound(error.message, 'room-not-found');
        throw error;
      }
    })
    .get('/:roomId/assets/:assetId', async (c) => {
      const room = await findRoom(deps, c.req.param('roomId'));
      // An open room's board is anyone's to see, so are its pictures.
      if (!isOpenRoom(room)) await roleOf(deps, room, readToken(c, true));
      const row = await findAsset(service, room, c.req.param('assetId'));
      const width = servedWidth(row, requestedWidth(c.req.query('w')));
      const etag = width === undefined ? `"${row.id}"` : `"${row.id}-w${width}"`;
      // Only on answers that carry the file (or confirm the client's copy): an error
      // must never be cached for a year.
      const cacheable = () => {
        c.header('ETag', etag);
        c.header('Cache-Control', CACHE_CONTROL);
        // An SVG opened as a page of its own runs no script and reaches nothing.
        if (row.mimeType === 'image/svg+xml') c.header('Content-Security-Policy', 'sandbox');
      };
      if (etagMatches(c.req.header('if-none-match'), etag)) {
        cacheable();
        return c.body(null, 304);
      }

      // Ranges of the original (videos seek with them); a variant is always whole.
      let range = width === undefined ? parseRange(c.req.header('range'), Number(row.size)) : 'whole';
      const ifRange = c.req.header('if-range');
      if (ifRange !== undefined && ifRange !== etag) range = 'whole';
      if (range === 'unsatisfiable') {
        c.header('Content-Range', `bytes */${row.size}`);
        throw new ApiError(416, 'range-not-satisfiable', `The file has ${row.size} bytes`);
      }
      const body = await service.read(row, { ...(range !== 'whole' ? { range } : {}), ...(width !== undefined ? { width } : {}) });
      if (!body) throw notFound(`The file of asset ${row.id} is missing from the store`, 'asset-file-missing');
      cacheable();
      if (width === undefined) c.header('Accept-Ranges', 'bytes');
      c.header('Content-Type', body.type);
      if (body.file.size !== undefined) c.header('Content-Length', String(body.file.size));
      if (range !== 'whole') {
        c.header('Content-Range', `bytes ${range.start}-${range.end}/${row.size}`);
        return c.body(body.file.body, 206);
      }
      return c.body(body.file.body, 200);
    });
}
