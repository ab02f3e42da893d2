import { Hono } from 'hono';
import { z } from 'zod';
import { hashPassword } from '../../auth/passwords.ts';
import type { Role } from '../../db/schema.ts';
import { nameSchema } from '../../rooms/names.ts';
import { RoomStore, toRoomView } from '../../rooms/room-store.ts';
import type { Db } from '../../db/client.ts';
import { CloseCodes } from '../../ws/context.ts';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { unauthorized } from '../errors.ts';
import { bearerAuth, readBearer } from '../middleware/bearer-auth.ts';
import { jsonBody } from '../validate.ts';
import { findRoom, requireMember, requireOwner } from './room-guards.ts';
import { joinRoute } from './join.ts';

const visibility = z.enum(['public', 'private']);
const password = z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
const MAX_INVITE_SECONDS = 30 * 24 * 3600;

export const createRoomBody = z.strictObject({ name: nameSchema, visibility, password: password.optional() });
export const updateRoomBody = z.strictObject({
  name: nameSchema.optional(),
  visibility: visibility.optional(),
  password: password.nullable().optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
});
export const inviteBody = z.strictObject({
  role: z.enum(['editor', 'viewer']).optional(),
  expiresInSeconds: z.number().int().min(1).max(MAX_INVITE_SECONDS).optional(),
});

/** `/api/rooms`: create, read, list, change, delete, invite, join. */
export function roomsRoutes(deps: AppDeps) {
  const auth = bearerAuth(deps.tokens);
  return new Hono<AppEnv>()
    .post('/', auth, jsonBody(createRoomBody), async (c) => {
      const body = c.req.valid('json');
      const owner = c.get('user');
      await deps.users.ensure({ id: owner.sub, name: owner.name, email: owner.email, avatarUrl: owner.avatarUrl });
      const room = await deps.rooms.create({
        name: body.name,
        ownerId: owner.sub,
        visibility: body.visibility,
        passwordHash: body.password ? await hashPassword(body.password) : null,
      });
      return c.json(toRoomView(room), 201);
    })
    .get('/', auth, async (c) => {
      const rows = await deps.rooms.listForUser(c.get('user').sub);
      return c.json(rows.map(toRoomView));
    })
    .get('/:roomId', async (c) => {
      const room = await findRoom(deps, c.req.param('roomId'));
      if (room.visibility === 'private') {
        const user = readBearer(c, deps.tokens);
        if (!user) throw unauthorized('This room is private: send a bearer token');
        await requireMember(deps, room, user.sub);
      }
      return c.json({ ...toRoomView(room), online: await deps.online.list(room.id) });
    })
    .patch('/:roomId', auth, jsonBody(updateRoomBody), async (c) => {
      const room = await findRoom(deps, c.req.param('roomId'));
      requireOwner(room, c.get('user').sub);
      const body = c.req.valid('json');
      const updated = await deps.rooms.update(room.id, {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.visibility !== undefined ? { visibility: body.visibility } : {}),
        ...(body.settings !== undefined ? { settings: body.settings } : {}),
        ...(body.password !== undefined ? { passwordHash: body.password === null ? null : await hashPassword(body.password) } : {}),
      });
      return c.json(toRoomView(updated ?? room));
    })
    .delete('/:roomId', auth, async (c) => {
      const room = await findRoom(deps, c.req.param('roomId'));
      requireOwner(room, c.get('user').sub);
      // The room.deleted event is queued in the deleting transaction: both or neither.
      await deps.database.db.transaction(async (tx) => {
        await deps.webhooks.enqueue(tx, room.id, 'room.deleted', toRoomView(room));
        await new RoomStore(tx as unknown as Db).delete(room.id);
      });
      deps.webhooks.kick();
      // The export rows went with the room (FK cascade); their files go too, best effort.
      deps.exports.files.deleteRoom(room.id).catch((error: unknown) => {
        deps.log.warn({ err: error, roomId: room.id }, 'deleting the export files of a deleted room failed');
      });
      // Everyone still in the room is told why; their providers' retries then
      // end in `room-not-found`. The loaded document unloads without a store,
      // since persistence finds no room to store into.
      const document = deps.hocuspocus.documents.get(room.id);
      document?.connections.forEach((_clients, connection) => connection.close(CloseCodes.roomDeleted));
      return c.body(null, 204);
    })
    .post('/:roomId/invite', auth, jsonBody(inviteBody), async (c) => {
      const room = await findRoom(deps, c.req.param('roomId'));
      requireOwner(room, c.get('user').sub);
      const body = c.req.valid('json');
      const role: Exclude<Role, 'owner'> = body.role ?? 'editor';
      const ttl = body.expiresInSeconds ?? deps.config.tokens.inviteDefaultTtlSeconds;
      const token = deps.tokens.signInvite(room.id, role, ttl);
      const url = `${deps.publicUrl()}/r/${room.id}?invite=${encodeURIComponent(token)}`;
      return c.json({ token, url, role, expiresAt: new Date(Date.now() + ttl * 1000).toISOString() }, 201);
    })
    .route('/', joinRoute(deps));
}
