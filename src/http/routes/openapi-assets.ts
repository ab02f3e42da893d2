import type { Operation } from './openapi-operation.ts';

const TYPES = 'PNG, JPEG, GIF, WebP, AVIF, SVG, MP4 or WebM, sniffed from the bytes';

/** The asset store in the OpenAPI document (API.md "Assets"). */
export const ASSET_OPERATIONS: Record<string, Record<string, Operation>> = {
  '/api/rooms/{roomId}/assets': {
    post: {
      summary: `Upload an image or video (${TYPES}) as the raw body or the "file" field of multipart/form-data; the same bytes give the same id (owner, editor; user or room token)`,
      auth: true,
      fileBody: true,
      responses: {
        201: "{ id, url, mimeType, size, width?, height?, sha256 }: url goes into the asset record's props.src",
        400: 'empty body, or a form without a file',
        401: 'no token',
        403: 'viewer or no access',
        404: 'unknown room',
        413: 'larger than MAX_ASSET_BYTES, or the room would exceed MAX_ROOM_ASSET_BYTES',
        415: 'not an allowed type',
        429: 'too many uploads (ASSET_UPLOADS_PER_HOUR per user)',
      },
    },
  },
  '/api/rooms/{roomId}/assets/{assetId}': {
    get: {
      summary:
        'The file, with ETag, immutable caching and Range support; ?w=<px> an image at most that wide (never upscaled); ?token=<user or room token> for <img>. Open rooms: anyone; otherwise whoever can open the room',
      auth: true,
      responses: {
        200: 'the bytes with their type (SVG with Content-Security-Policy: sandbox)',
        206: 'the requested byte range',
        304: 'If-None-Match matched',
        400: 'bad w',
        401: 'no token (a room that is not open)',
        403: 'no access',
        404: 'unknown room or asset',
        416: 'range not satisfiable',
      },
    },
  },
};
