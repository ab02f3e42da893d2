import { Hono } from 'hono';
import { z } from 'zod';
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
      if (!(await deps.rooms.removeMember(room.id, c.req.param('userId')))) {
        throw notFound('This user is not a member of the room', 'member-not-found');
      }
      await deps.accessChanges.publish(room.id);
      return c.body(null, 204);
    });
}
