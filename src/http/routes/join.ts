import { Hono } from 'hono';
import { z } from 'zod';
import { verifyPassword } from '../../auth/passwords.ts';
import { TokenError } from '../../auth/tokens.ts';
import type { Role, RoomRow } from '../../db/schema.ts';
import { logSecurityEvent } from '../../log.ts';
import { KeyedRateLimiter } from '../../limits/token-bucket.ts';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { ApiError, forbidden } from '../errors.ts';
import { bearerAuth } from '../middleware/bearer-auth.ts';
import { jsonBody } from '../validate.ts';
import { findRoom } from './room-guards.ts';
import type { Db } from '../../db/client.ts';
import { RoomStore } from '../../rooms/room-store.ts';

export const joinBody = z.strictObject({
  password: z.string().max(200).optional(),
  invite: z.string().max(4096).optional(),
});

// Ten password attempts per client and room per ten minutes; the eleventh is a 429.
const PASSWORD_ATTEMPTS = { burst: 10, ratePerSecond: 10 / 600 };

/** `POST /api/rooms/:roomId/join`: trade a password or an invite for a room token. */
export function joinRoute(deps: AppDeps) {
  const attempts = new KeyedRateLimiter(PASSWORD_ATTEMPTS);

  async function decideRole(room: RoomRow, userId: string, body: z.infer<typeof joinBody>, ip: string): Promise<Role> {
    if (room.ownerId === userId) return 'owner';
    if (body.invite !== undefined) {
      try {
        const claims = deps.tokens.verify(body.invite);
        if (claims.kind === 'invite' && claims.room === room.id) return claims.role;
      } catch (error) {
        if (!(error instanceof TokenError)) throw error;
        throw forbidden(`Invite refused: ${error.reason}`, 'invalid-invite');
      }
      throw forbidden('This invite is not for this room', 'invalid-invite');
    }
    const memberRole = await deps.rooms.memberRole(room.id, userId);
    if (memberRole) return memberRole;
    if (room.passwordHash !== null) {
      if (!attempts.take(`${ip}\0${room.id}`)) {
        logSecurityEvent(deps.log, { type: 'rate-limited', ip, roomId: room.id, userId, reason: 'password attempts' });
        throw new ApiError(429, 'rate-limited', 'Too many password attempts; try again later');
      }
      if (body.password === undefined) throw forbidden('This room needs a password', 'password-required');
      if (!(await verifyPassword(body.password, room.passwordHash))) {
        logSecurityEvent(deps.log, { type: 'wrong-password', ip, roomId: room.id, userId });
        throw forbidden('Wrong password', 'wrong-password');
      }
      return 'editor';
    }
    if (room.visibility === 'public') return 'editor';
    throw forbidden('This room is private: ask the owner for an invite', 'permission-denied');
  }

  return new Hono<AppEnv>().post('/:roomId/join', bearerAuth(deps.tokens), jsonBody(joinBody), async (c) => {
    const room = await findRoom(deps, c.req.param('roomId'));
    const user = c.get('user');
    const role = await decideRole(room, user.sub, c.req.valid('json'), c.get('clientIp'));
    await deps.users.ensure({ id: user.sub, name: user.name, email: user.email, avatarUrl: user.avatarUrl });
    if (role !== 'owner') {
      // A new membership and its member.joined event commit together.
      const joined = await deps.database.db.transaction(async (tx) => {
        const members = new RoomStore(tx as unknown as Db);
        const before = await members.memberRole(room.id, user.sub);
        await members.addMember(room.id, user.sub, role);
        if (before !== undefined) return false;
        return (await deps.webhooks.enqueue(tx, room.id, 'member.joined', { user: { id: user.sub, name: user.name }, role })) > 0;
      });
      if (joined) deps.webhooks.kick();
    }
    const token = deps.tokens.signRoom({ id: user.sub, name: user.name }, room.id, role, deps.config.tokens.roomTtlSeconds);
    return c.json({ token, role });
  });
}
