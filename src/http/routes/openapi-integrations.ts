import type { Operation } from './openapi-operation.ts';
import { patchDocumentBody } from './document.ts';
import { createWebhookBody } from './webhooks.ts';

/** The document API and webhooks in the OpenAPI document (API.md "Document API and webhooks"). */
export const INTEGRATION_OPERATIONS: Record<string, Record<string, Operation>> = {
  '/api/rooms/{roomId}/document': {
    get: {
      summary: "The board as a .tldr file's content, { schema, records }, migrated to the server's tldraw schema (members)",
      auth: true,
      responses: { 200: '{ schema, records }', 401: 'no token', 403: 'not a member', 404: 'unknown room' },
    },
    patch: {
      summary: "Put and remove records in one transaction; every record is validated against tldraw's schema first (owner, editor)",
      auth: true,
      body: patchDocumentBody,
      responses: {
        200: '{ applied } once the change is durable; live clients see it',
        400: 'a record failed validation (named in the message); nothing was applied',
        401: 'no token',
        403: 'viewer or not a member',
        404: 'unknown room',
        413: 'the document would exceed MAX_DOCUMENT_BYTES',
      },
    },
  },
  '/api/rooms/{roomId}/document/update': {
    get: {
      summary: "The room's Yjs state as one update, application/octet-stream (members)",
      auth: true,
      responses: { 200: 'application/octet-stream', 401: 'no token', 403: 'not a member', 404: 'unknown room' },
    },
    post: {
      summary: 'Apply a Yjs update (application/octet-stream) like a client would (owner, editor)',
      auth: true,
      binaryBody: true,
      responses: {
        200: '{ ok: true } once durable',
        400: 'not a Yjs update',
        401: 'no token',
        403: 'viewer or not a member',
        404: 'unknown room',
        413: 'too large',
        415: 'not application/octet-stream',
      },
    },
  },
  '/api/rooms/{roomId}/webhooks': {
    post: {
      summary: 'Subscribe a URL to room events; the answer carries the signing secret, shown only here (owner)',
      auth: true,
      body: createWebhookBody,
      responses: { 201: '{ id, url, events, secret, createdAt }', 400: 'bad URL or events', 403: 'not owner', 404: 'unknown room' },
    },
    get: {
      summary: "The room's webhooks, without secrets (owner)",
      auth: true,
      responses: { 200: '[{ id, url, events, createdAt }]', 403: 'not owner', 404: 'unknown room' },
    },
  },
  '/api/rooms/{roomId}/webhooks/{webhookId}': {
    delete: {
      summary: 'Remove a webhook and its undelivered events (owner)',
      auth: true,
      responses: { 204: 'deleted', 403: 'not owner', 404: 'unknown room or webhook' },
    },
  },
  '/api/rooms/{roomId}/webhooks/{webhookId}/deliveries': {
    get: {
      summary: 'The newest 100 deliveries of a webhook (owner)',
      auth: true,
      responses: {
        200: '[{ id, event, status, attempts, lastStatusCode, nextAttemptAt, deliveredAt }]',
        403: 'not owner',
        404: 'unknown room or webhook',
      },
    },
  },
  '/api/rooms/{roomId}/webhooks/{webhookId}/deliveries/{deliveryId}/retry': {
    post: {
      summary: 'Send a delivery again now, with the same webhook-id (owner)',
      auth: true,
      responses: { 202: '{ id, status: "pending" }', 403: 'not owner', 404: 'unknown room, webhook or delivery' },
    },
  },
};
