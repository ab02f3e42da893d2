import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../app-env.ts';
import { guestBody } from './auth.ts';
import { createExportBody } from './exports.ts';
import { joinBody } from './join.ts';
import { inviteBody } from './invites.ts';
import { memberRoleBody } from './members.ts';
import { createRoomBody, updateRoomBody } from './rooms.ts';
import type { Operation } from './openapi-operation.ts';
import { BOARD_OPERATIONS } from './openapi-boards.ts';
import { ASSET_OPERATIONS } from './openapi-assets.ts';
import { INTEGRATION_OPERATIONS } from './openapi-integrations.ts';

const room = {
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 20 },
    name: { type: 'string' },
    visibility: { enum: ['public', 'private'] },
    hasPassword: { type: 'boolean' },
    ownerId: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    lastActive: { type: 'string', format: 'date-time' },
    settings: { type: 'object' },
  },
};
const exportJob = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    roomId: { type: 'string' },
    format: { enum: ['json', 'svg', 'png', 'pdf'] },
    status: { enum: ['pending', 'processing', 'completed', 'failed'] },
    fileUrl: { type: ['string', 'null'], description: '`$' + '{PUBLIC_URL}/api/exports/{id}/file` once completed' },
    error: { type: ['string', 'null'], description: 'why it failed' },
    createdAt: { type: 'string', format: 'date-time' },
    completedAt: { type: ['string', 'null'], format: 'date-time' },
  },
};
const FILE_BODY = {
  '*/*': { schema: { type: 'string', format: 'binary' } },
  'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } },
};
const error = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } },
};

/** Every REST operation; request bodies come from the same zod schemas the routes validate with. */
const OPERATIONS: Record<string, Record<string, Operation>> = {
  '/api/auth/guest': {
    post: {
      summary: 'Create a guest user and its token',
      body: guestBody,
      responses: { 201: '{ token, user }', 400: 'invalid name', 429: 'too many' },
    },
  },
  '/api/rooms': {
    post: {
      summary: 'Create a room (ROOM_CREATIONS_PER_HOUR per user)',
      auth: true,
      body: createRoomBody,
      responses: { 201: 'room', 400: 'invalid (names: no bidi control or zero-width characters)', 401: 'no token', 429: 'too many rooms' },
    },
    get: {
      summary:
        'Rooms the caller owns or joined, newest activity first. Query: limit (1-200, default 50), before (an ISO lastActive: the page after the room with that lastActive). A page that ends inside a group of rooms active in the same millisecond holds the whole group',
      auth: true,
      responses: { 200: '[room]', 400: 'bad limit or before', 401: 'no token' },
    },
  },
  '/api/rooms/{roomId}': {
    get: {
      summary: 'A room with who is online',
      responses: { 200: 'room with online', 401: 'private room, no token', 403: 'not a member', 404: 'unknown' },
    },
    patch: {
      summary:
        'Change a room (owner). A password change or a switch to private ends the access it takes away, on live connections too, and refuses room tokens issued before',
      auth: true,
      body: updateRoomBody,
      responses: { 200: 'room', 400: 'invalid (settings at most 16 KiB)', 403: 'not owner', 404: 'unknown' },
    },
    delete: {
      summary: 'Delete a room, its snapshots, and disconnect its clients (owner)',
      auth: true,
      responses: { 204: 'deleted', 403: 'not owner', 404: 'unknown' },
    },
  },
  '/api/rooms/{roomId}/invite': {
    post: {
      summary: 'Create an invite link (owner); `url` carries the token in its fragment (#invite=…)',
      auth: true,
      body: inviteBody,
      responses: { 201: '{ id, token, url, role, expiresAt, maxUses }', 403: 'not owner', 404: 'unknown' },
    },
  },
  '/api/rooms/{roomId}/invites': {
    get: {
      summary: 'Invites of the room, newest first (owner)',
      auth: true,
      responses: { 200: '[{ id, role, expiresAt, uses, maxUses, createdAt }]', 403: 'not owner', 404: 'unknown' },
    },
  },
  '/api/rooms/{roomId}/invites/{inviteId}': {
    delete: {
      summary: 'Revoke an invite: it joins nobody any more (owner)',
      auth: true,
      responses: { 204: 'revoked', 403: 'not owner', 404: 'unknown room or invite' },
    },
  },
  '/api/rooms/{roomId}/members': {
    get: {
      summary: 'Members of the room (members)',
      auth: true,
      responses: { 200: '[{ user: { id, name }, role, joinedAt }]', 403: 'not a member', 404: 'unknown' },
    },
  },
  '/api/rooms/{roomId}/members/{userId}': {
    patch: {
      summary: 'Change a member role (owner); a member turned viewer is read-only at once on live connections',
      auth: true,
      body: memberRoleBody,
      responses: { 200: 'member', 400: 'invalid role', 403: 'not owner', 404: 'unknown room or member' },
    },
    delete: {
      summary: 'Remove a member (owner); their live connections are closed with permission-denied',
      auth: true,
      responses: { 204: 'removed', 403: 'not owner', 404: 'unknown room or member' },
    },
  },
  '/api/rooms/{roomId}/join': {
    post: {
      summary: 'Get a room token for the WebSocket',
      auth: true,
      body: joinBody,
      responses: {
        200: '{ token, role }',
        403: 'wrong password, refused invite (revoked, used up, expired) or no access',
        404: 'unknown',
        409: 'the room access changed while joining: try again',
        429: 'too many password attempts (per client and room, and per room)',
      },
    },
  },
  '/api/rooms/{roomId}/snapshots/{version}/restore': {
    post: {
      summary: 'Restore a version for everyone, as a new version (owner)',
      auth: true,
      responses: {
        200: '{ restoredFrom, version, kept } (kept: the version holding the board as it was before)',
        403: 'not owner',
        404: 'unknown room or version',
      },
    },
  },
  '/api/exports/{roomId}': {
    post: {
      summary:
        'Export a room (members): json is a .tldr file; svg, png, pdf draw a page; `version` exports that stored version instead of the live board. Answers at once; follow the export with GET',
      auth: true,
      body: createExportBody,
      responses: {
        202: 'export (pending); removed with its file after EXPORT_RETENTION_HOURS',
        400: 'bad format or options',
        401: 'no token',
        403: 'not a member',
        404: 'unknown room, or a version the room does not have',
        429: 'too many exports (EXPORTS_PER_HOUR per user)',
      },
    },
  },
  '/api/exports/{exportId}': {
    get: {
      summary: 'An export: pending, processing, then completed (with fileUrl) or failed (with error) (members)',
      auth: true,
      responses: { 200: 'export', 401: 'no token', 403: 'not a member', 404: 'unknown export' },
    },
  },
  '/api/exports/{exportId}/file': {
    get: {
      summary: 'The exported file with its content type and a Content-Disposition filename (members)',
      auth: true,
      responses: {
        200: 'image/svg+xml, image/png, application/pdf or application/vnd.tldraw+json',
        401: 'no token',
        403: 'not a member',
        404: 'unknown export',
        409: 'export not completed (yet)',
      },
    },
  },
  '/healthz': { get: { summary: 'Liveness', responses: { 200: '{ status: "ok" }' } } },
  '/readyz': { get: { summary: 'Readiness: database (and Redis) answer', responses: { 200: 'ready', 503: 'not ready' } } },
  '/metrics': { get: { summary: 'Prometheus metrics', responses: { 200: 'text/plain; version=0.0.4' } } },
  '/api/openapi.json': { get: { summary: 'This document', responses: { 200: 'OpenAPI 3.1' } } },
  '/api/limits': {
    get: {
      summary:
        'The sizes this server refuses past (MAX_DOCUMENT_BYTES, WS_MAX_MESSAGE_BYTES, MAX_ASSET_BYTES, MAX_ROOM_ASSET_BYTES), so clients warn first',
      responses: { 200: '{ maxDocumentBytes, maxMessageBytes, maxAssetBytes, maxRoomAssetBytes }' },
    },
  },
};

/**
 * Builds the OpenAPI 3.1 document. Extra operations (exports) register theirs.
 */
export function buildOpenApi(extra: Record<string, Record<string, Operation>> = {}) {
  const paths: Record<string, unknown> = {};
  for (const [path, operations] of Object.entries({
    ...OPERATIONS,
    ...BOARD_OPERATIONS,
    ...INTEGRATION_OPERATIONS,
    ...ASSET_OPERATIONS,
    ...extra,
  })) {
    paths[path] = Object.fromEntries(
      Object.entries(operations).map(([method, op]) => [
        method,
        {
          summary: op.summary,
          ...(op.auth ? { security: [{ bearer: [] }] } : {}),
          ...(op.body
            ? { requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(op.body, { io: 'input' }) } } } }
            : {}),
          ...(op.binaryBody
            ? { requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } } }
            : {}),
          ...(op.fileBody ? { requestBody: { required: true, content: FILE_BODY } } : {}),
          responses: Object.fromEntries(
            Object.entries(op.responses).map(([status, description]) => [
              status,
              { description, ...(Number(status) >= 400 ? { content: { 'application/json': { schema: error } } } : {}) },
            ]),
          ),
        },
      ]),
    );
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Scrible',
      version: '0.1.0',
      description: 'Real-time collaboration backend for tldraw. WebSocket: Hocuspocus protocol on the same port.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Room: room, Export: exportJob, Error: error },
    },
    paths,
  };
}

export function openApiRoutes(extra: Record<string, Record<string, Operation>> = {}) {
  const document = buildOpenApi(extra);
  return new Hono<AppEnv>().get('/openapi.json', (c) => c.json(document));
}
