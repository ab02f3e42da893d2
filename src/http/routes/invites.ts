import { Hono } from 'hono';
import { z } from 'zod';
import type { Role } from '../../db/schema.ts';
import { toInviteView } from '../../rooms/invite-store.ts';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { notFound } from '../errors.ts';
import { bearerAuth } from '../middleware/bearer-auth.ts';
import { jsonBody } from '../validate.ts';
import { findRoom, requireOwner } from './room-guards.ts';

const MAX_INVITE_SECONDS = 30 * 24 * 3600;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const inviteBody = z.strictObject({
  role: z.enum(['editor', 'viewer']).optional(),
  expiresInSeconds: z.number().int().min(1).max(MAX_INVITE_SECONDS).optional(),
  maxUses: z.number().int().min(1).max(100_000).optional(),
});

/**
 * `/api/rooms/:roomId/invite(s)`: invite links are stored rows the signed token points
 * at, so the owner can list them, cap their uses and revoke them.
 */
export function invitesRoutes(deps: AppDeps) {
  const auth = bearerAuth(deps.tokens);
  return new Hono<AppEnv>()
    .post('/:roomId/invite', auth, jsonBody(inviteBody), async (c) => {
      const room = await findRoom(deps, c.req.param('roomId'));
      requireOwner(room, c.get('user').sub);
      const body = c.req.valid('json');
      const role: Exclude<Role, 'owner'> = body.role ?? 'editor';
      const ttl = body.expiresInSeconds ?? deps.config.tokens.inviteDefaultTtlSeconds;
      const invite = await deps.invites.create({
        roomId: room.id,
        role,
        expiresAt: new Date(Date.now() + ttl * 1000),
        maxUses: body.maxUses ?? null,
      });
      const token = deps.tokens.signInvite({ id: invite.id, roomId: room.id, role }, ttl);
      // In the fragment, never the query: browsers do not send fragments, so the token
      // stays out of server, proxy and referrer logs.
      const url = `${deps.publicUrl()}/r/${room.id}#invite=${encodeURIComponent(token)}`;
      const view = toInviteView(invite);
      return c.json({ id: view.id, token, url, role, expiresAt: view.expiresAt, maxUses: view.maxUses }, 201);
    })
    .get('/:roomId/invites', auth, async (c) => {
      const room = await findRoom(deps, c.req.param('roomId'));
      requireOwner(room, c.get('user').sub);
      return c.json((await deps.invites.list(room.id)).map(toInviteView));
    })
    .delete('/:roomId/invites/:inviteId', auth, async (c) => {
      const room = await findRoom(deps, c.req.param('roomId'));
      requireOwner(room, c.get('user').sub);
      const inviteId = c.req.param('inviteId');
      if (!UUID.test(inviteId) || !(await deps.invites.delete(room.id, inviteId))) {
        throw notFound('This room has no such invite', 'invite-not-found');
      }
      return c.body(null, 204);
    });
}
