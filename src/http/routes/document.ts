import { Hono } from 'hono';
import * as Y from 'yjs';
import { boardRootNames, checkBoardUpdate } from '../../ws/board-update-filter.ts';
import { z } from 'zod';
import type { RoomRow } from '../../db/schema.ts';
import { DocumentTooLargeError } from '../../document-api/room-documents.ts';
import { applyChanges, InvalidRecordError, validateChanges } from '../../document-api/record-changes.ts';
import { readBoardFromYDoc, validateBoard } from '../../render/index.ts';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { ApiError, badRequest } from '../errors.ts';
import { bearerAuth } from '../middleware/bearer-auth.ts';
import { jsonBody } from '../validate.ts';
import { findRoom, requireWriter, roleIn } from './room-guards.ts';

// Records are checked one by one against tldraw's schema after this shape check,
// so a bad record is named rather than reported as a zod path.
export const patchDocumentBody = z
  .strictObject({
    put: z.array(z.unknown()).max(10_000).optional(),
    remove: z.array(z.unknown()).max(10_000).optional(),
  })
  .refine((body) => body.put !== undefined || body.remove !== undefined, { message: 'put or remove is required' });

const OCTET_STREAM = 'application/octet-stream';

async function writableRoom(deps: AppDeps, roomId: string, userId: string): Promise<RoomRow> {
  const room = await findRoom(deps, roomId);
  await requireWriter(deps, room, userId);
  return room;
}

function tooLarge(error: unknown): never {
  if (error instanceof DocumentTooLargeError) throw new ApiError(413, 'document-too-large', error.message);
  throw error;
}

/** `/api/rooms/:roomId/document`: the board as tldraw records or as Yjs, read and changed. */
export function documentRoutes(deps: AppDeps) {
  const auth = bearerAuth(deps.tokens);
  return new Hono<AppEnv>()
    .get('/:roomId/document', auth, async (c) => {
      const room = await findRoom(deps, c.req.param('roomId'));
      await roleIn(deps, room, c.get('user').sub);
      const board = await deps.documents.read(room.id, (doc) => readBoardFromYDoc(doc, room.id));
      // Migrated to this server's schema; records that fail tldraw's validation are left out.
      const valid = validateBoard(board, deps.log);
      return c.json({ schema: valid.schema, records: valid.records });
    })
    .patch('/:roomId/document', auth, jsonBody(patchDocumentBody), async (c) => {
      const user = c.get('user');
      const room = await writableRoom(deps, c.req.param('roomId'), user.sub);
      const body = c.req.valid('json');
      let changes: ReturnType<typeof validateChanges>;
      try {
        changes = validateChanges(body.put ?? [], body.remove ?? []);
      } catch (error) {
        if (error instanceof InvalidRecordError) throw badRequest(error.message, 'invalid-record');
        throw error;
      }
      const applied = await deps.documents
        .change(
          room.id,
          { expectedBytes: JSON.stringify(changes.put).length, context: { user: { id: user.sub, name: user.name }, source: 'rest' } },
          (doc) => applyChanges(doc, room.id, changes),
        )
        .catch(tooLarge);
      return c.json({ applied });
    })
    .get('/:roomId/document/update', auth, async (c) => {
      const room = await findRoom(deps, c.req.param('roomId'));
      await roleIn(deps, room, c.get('user').sub);
      const state = await deps.documents.read(room.id, (doc) => Y.encodeStateAsUpdate(doc));
      return c.body(state as Uint8Array<ArrayBuffer>, 200, { 'content-type': OCTET_STREAM });
    })
    .post('/:roomId/document/update', auth, async (c) => {
      const user = c.get('user');
      const room = await writableRoom(deps, c.req.param('roomId'), user.sub);
      if (!(c.req.header('content-type') ?? '').startsWith(OCTET_STREAM)) {
        throw new ApiError(415, 'unsupported-media-type', `Send the Yjs update as ${OCTET_STREAM}`);
      }
      const update = new Uint8Array(await c.req.arrayBuffer());
      // The same gate as a client's update: decodable, and only the board's own structure.
      const problem = checkBoardUpdate(update, boardRootNames(room.id));
      if (problem?.kind === 'malformed') throw badRequest('The body is not a Yjs update', 'invalid-update');
      if (problem) throw badRequest(`The update changes more than a tldraw board: ${problem.detail}`, 'structure-refused');
      await deps.documents
        .change(
          room.id,
          { expectedBytes: update.byteLength, context: { user: { id: user.sub, name: user.name }, source: 'rest' }, rawUpdate: update },
          (doc) => Y.applyUpdate(doc, update),
        )
        .catch(tooLarge);
      return c.json({ ok: true });
    });
}
