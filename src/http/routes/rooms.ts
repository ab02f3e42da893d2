import { Hono } from 'hono';
import { z } from 'zod';
import { hashPassword } from '../../auth/passwords.ts';
import type { MemberVia, RoomRow } from '../../db/schema.ts';
import { KeyedRateLimiter } from '../../limits/token-bucket.ts';
import { logSecurityEvent } from '../../log.ts';
import { nameSchema } from '../../names/names.ts';
import { type AccessChange, RoomStore, toRoomView } from '../../rooms/room-store.ts';
import type { Db } from '../../db/client.ts';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { ApiError, unauthorized } from '../errors.ts';
import { bearerAuth, readBearer } from '../middleware/bearer-auth.ts';
import { jsonBody, jsonQuery } from '../validate.ts';
import { forkRoute } from './fork.ts';
import { invitesRoutes } from './invites.ts';
import { joinRoute } from './join.ts';
import { membersRoutes } from './members.ts';
import { findRoom, requireMember, requireOwner } from './room-guards.ts';

const visibility = z.enum(['public', 'private']);
const password = z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
/** Settings come back in every room answer and list: kept small. */
export const MAX_SETTINGS_BYTES = 16 * 1024;

export const createRoomBody = z.strictObject({ name: nameSchema, visibility, password: password.optional() });
export const updateRoomBody = z.strictObject({
  name: nameSchema.optional(),
  visibility: visibility.optional(),
  password: password.nullable().optional(),
  settings: z
    .record(z.string(), z.unknown())
    .refine((settings) => Buffer.byteLength(JSON.stringify(settings)) <= MAX_SETTINGS_BYTES, {
      message: `must be at most ${MAX_SETTINGS_BYTES} bytes of JSON`,
    })
    .optional(),
});
export const listRoomsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.iso.datetime({ offset: true }).optional(),
});

/**
 * What a change takes away from people already let in: a new or removed password
 * ends the memberships that came with the old one (and visits to the room while it
 * was open); going private ends visits to the open room. Either way room tokens
 * issued before stop working.
 */
function accessChangeOf(room: RoomRow, body: z.infer<typeof updateRoomBody>): AccessChange {
  const drop = new Set<MemberVia>();
  // Setting a password counts as a change; removing one only when there was one.
  const passwordChanged = body.password !== undefined && (body.password !== null || room.passwordHash !== null);
  const madePrivate = body.visibility === 'private' && room.visibility === 'public';
  if (passwordChanged) drop.add('password');
  if ((passwordChanged && body.password !== null) || madePrivate) drop.add('public');
  return { dropMembersVia: [...drop], bumpEpoch: passwordChanged || madePrivate };
}

/** `/api/rooms`: create, read, list, change, delete; members, invites and join below it. */
export function roomsRoutes(deps: AppDeps) {
  const auth = bearerAuth(deps.tokens);
  const creations = new KeyedRateLimiter(deps.config.limits.roomCreations);
  return new Hono<AppEnv>()
    .post('/', auth, jsonBody(createRoomBody), async (c) => {
      const body = c.req.valid('json');
      const owner = c.get('user');
      if (!creations.take(owner.sub)) {
        logSecurityEvent(deps.log, { type: 'rate-limited', ip: c.get('clientIp'), userId: owner.sub, reason: 'room creations' });
        throw new ApiError(429, 'rate-limited', 'Too many rooms created; try again later');
      }
      await deps.users.ensure({ id: owner.sub, name: owner.name, email: owner.email, avatarUrl: owner.avatarUrl });
      const room = await deps.rooms.create({
        name: body.name,
        ownerId: owner.sub,
        visibility: body.visibility,
        passwordHash: body.password ? await hashPassword(body.password) : null,
      });
      return c.json(toRoomView(room), 201);
    })
    .get('/', auth, jsonQuery(listRoomsQuery), async (c) => {
      const { limit, before } = c.req.valid('query');
      const rows = await deps.rooms.listForUser(c.get('user').sub, { limit, ...(before ? { before: new Date(before) } : {}) });
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
      const access = accessChangeOf(room, body);
      const updated = await deps.rooms.update(
        room.id,
        {
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.visibility !== undefined ? { visibility: body.visibility } : {}),
          ...(body.settings !== undefined ? { settings: body.settings } : {}),
          ...(body.password !== undefined ? { passwordHash: body.password === null ? null : await hashPassword(body.password) } : {}),
        },
        access,
      );
      if (access.bumpEpoch || access.dropMembersVia.length > 0) await deps.accessChanges.publish(room.id);
      // Opened up: nobody loses anything, but cached access decisions must see it.
      else if (body.visibility !== undefined || body.password !== undefined) await deps.accessChanges.publish(room.id, 'members');
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
      // So did the asset rows; their files (originals and variants) go the same way.
      deps.assets.files.deleteRoom(room.id).catch((error: unknown) => {
        deps.log.warn({ err: error, roomId: room.id }, 'deleting the asset files of a deleted room failed');
      });
      // Everyone still in the room, on every instance, is told `room-not-found`. The
      // loaded document unloads without a store, since persistence finds no room to
      // store into.
      await deps.accessChanges.publish(room.id);
      return c.body(null, 204);
    })
    .route('/', forkRoute(deps, creations))
    .route('/', invitesRoutes(deps))
    .route('/', membersRoutes(deps))
    .route('/', joinRoute(deps));
}
