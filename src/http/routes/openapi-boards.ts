import type { Operation } from './openapi-operation.ts';
import { forkBody } from './fork.ts';
import { createVersionBody } from './versions.ts';

/** Versions, forks and thumbnails in the OpenAPI document (API.md "Versions, forks, thumbnails"). */
export const BOARD_OPERATIONS: Record<string, Record<string, Operation>> = {
  '/api/rooms/{roomId}/snapshots': {
    get: {
      summary:
        'Stored versions, newest first (members). name: set on named versions; createdBy: { id, name } of who made the change or named the version, null when unknown',
      auth: true,
      responses: { 200: '[{ version, createdAt, bytes, name, createdBy }]', 401: 'no token', 403: 'not a member', 404: 'unknown' },
    },
  },
  '/api/rooms/{roomId}/versions': {
    post: {
      summary:
        'Store the board now as a named version (owner, editor); named versions are never pruned by SNAPSHOT_KEEP_VERSIONS (NAMED_VERSIONS_PER_HOUR per user)',
      auth: true,
      body: createVersionBody,
      responses: {
        201: '{ version, name, createdAt, createdBy: { id, name } }',
        400: 'invalid name (1-100 characters; no bidi control or zero-width characters)',
        401: 'no token',
        403: 'viewer or not a member',
        404: 'unknown room',
        429: 'too many versions named',
      },
    },
  },
  '/api/rooms/{roomId}/fork': {
    post: {
      summary:
        'A new private room owned by the caller holding the board now, or a stored version (anyone who can open the room; counts against ROOM_CREATIONS_PER_HOUR)',
      auth: true,
      body: forkBody,
      responses: {
        201: 'room (the fork)',
        400: 'invalid name or version',
        401: 'no token',
        403: 'may not open the room',
        404: 'unknown room, or a version the room does not have',
        422: 'the stored board cannot be decoded',
        429: 'too many rooms created',
      },
    },
  },
  '/api/rooms/{roomId}/snapshots/{version}/preview': {
    get: {
      summary:
        'A PNG of a stored version, drawn like the thumbnail, for the history panel (anyone who can open the room; bearer or ?token=). Cached for good: a version never changes',
      responses: {
        200: 'image/png',
        304: 'not modified',
        400: 'invalid version',
        401: 'no token',
        403: 'may not open the room',
        404: 'unknown room or version',
        422: 'the version cannot be drawn',
      },
    },
  },
  '/api/rooms/{roomId}/thumbnail': {
    get: {
      summary:
        'A PNG of the first page, at most 512 px wide, rendered again within 15 s after changes stop (THUMBNAIL_DEBOUNCE_MS), with an ETag (If-None-Match: 304). An open room: anyone; otherwise members, with a bearer token',
      responses: {
        200: 'image/png',
        304: 'not modified',
        401: 'not an open room, no token',
        403: 'not a member',
        404: 'unknown room',
        422: 'the stored board cannot be drawn',
      },
    },
  },
};
