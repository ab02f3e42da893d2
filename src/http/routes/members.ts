import { Hono } from 'hono';
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import { RoomStore } from '../../rooms/room-store.ts';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { notFound } from '../errors.ts';
import { bearerAuth } from '../middleware/bearer-auth.ts';
import { jsonBody } from '../validate.ts';
import { findRoom, requireMember, requireOwner } from './room-guards.ts';

export const memberRoleBody = z.strictObject({ role: z.enum(['editor', 'viewer']) });

/**
 * `/api/rooms/:roomId/members`: who has joined, and the owner's say over them. Every
 * change is published as an access change, so live connections follow within seconds.
 */
export function membersRoutes(deps: AppDeps) {
  const auth = bearerAuth(deps.tokens);
  return new Hono<AppEnv>()
    .get('/:roomId/members', auth, async (c) => {
      const room = await findRoom(deps, c.req.param('roomId'));
      await requireMember(deps, room, c.get('user').sub);
      return c.json(await deps.rooms.listMembers(room.id));
    })
    .patch('/:roomId/members/:userId', auth, jsonBody(memberRoleBody), async (c) => {
      const room = await findRoom(deps, c.req.param('roomId'));
      requireOwner(room, c.get('user').sub);
      const member = await deps.rooms.setMemberRole(room.id, c.req.param('userId'), c.req.valid('json').role);
      if (!member) throw notFound('This user is not a member of the room', 'member-not-found');
      await deps.accessChanges.publish(room.id);
      return c.json(member);
    })
    .delete('/:roomId/members/:userId', auth, async (c) => {
      const room = await findRoom(deps, c.req.param('roomId'));
      requireOwner(room, c.get('user').sub);
      const userId = c.req.param('userId');
      // The removal and its member.left event commit together.
      const left = await deps.database.db.transaction(async (tx) => {
        const members = new RoomStore(tx as unknown as Db);
        const role = await members.memberRole(room.id, userId);
        if (role === undefined || !(await members.removeMember(room.id, userId))) return undefined;
        return (await deps.webhooks.enqueue(tx, room.id, 'member.left', { user: { id: userId }, role })) > 0;
      });
      if (left === undefined) throw notFound('This user is not a member of the room', 'member-not-found');
      if (left) deps.webhooks.kick();
      await deps.accessChanges.publish(room.id);
      return c.body(null, 204);
    });
}
