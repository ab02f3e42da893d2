import { Hono } from 'hono';
import { z } from 'zod';
import { verifyPassword } from '../../auth/passwords.ts';
import { TokenError } from '../../auth/tokens.ts';
import type { MemberVia, Role, RoomRow } from '../../db/schema.ts';
import { logSecurityEvent } from '../../log.ts';
import { KeyedRateLimiter } from '../../limits/token-bucket.ts';
import { isOpenRoom } from '../../rooms/access.ts';
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

const RANK: Record<Role, number> = { viewer: 1, editor: 2, owner: 3 };

/** What `/join` decided: the role, and how a new membership came about (none for the owner). */
interface Admission {
  role: Role;
  via?: MemberVia;
}

/**
 * `POST /api/rooms/:roomId/join`: trade a password or an invite for a room token.
 * Every admission is a membership row the owner can see, change and remove; a
 * visit to an open room is one too, but it lapses when the room stops being open.
 */
export function joinRoute(deps: AppDeps) {
  // PASSWORD_ATTEMPTS_PER_CLIENT per client and room per ten minutes; the next is a 429.
  const attempts = new KeyedRateLimiter(deps.config.limits.passwordAttempts);
  // And PASSWORD_ATTEMPTS_PER_ROOM per room whoever asks: rotating addresses (or
  // accounts) does not buy an attacker more guesses. Members already in never need one.
  const roomAttempts = new KeyedRateLimiter(deps.config.limits.roomPasswordAttempts);

  async function useInvite(room: RoomRow, userId: string, token: string, ip: string): Promise<Admission> {
    const refuse = (why: string) => {
      logSecurityEvent(deps.log, { type: 'invite-refused', ip, roomId: room.id, userId, reason: why });
      return forbidden(`Invite refused: ${why}`, 'invalid-invite');
    };
    const member = await deps.rooms.member(room.id, userId);
    let inviteId: string | undefined;
    let inviteRole: Role;
    try {
      const claims = deps.tokens.verify(token);
      if (claims.kind !== 'invite' || claims.room !== room.id) throw refuse('not an invite for this room');
      inviteId = claims.inviteId;
      inviteRole = claims.role;
    } catch (error) {
      // A member coming back through a link that has expired since is still a member.
      if (member && (error instanceof ApiError || error instanceof TokenError)) return { role: member.role };
      if (error instanceof TokenError) throw refuse(error.reason);
      throw error;
    }
    // Coming back with the same link uses nothing up.
    if (member && RANK[member.role] >= RANK[inviteRole]) return { role: member.role };
    // Invites from before they were stored cannot be revoked or counted: refused.
    if (!inviteId) throw refuse('an old invite that cannot be revoked; ask for a new one');
    const role = await deps.invites.consume(room.id, inviteId);
    if (!role) throw refuse('revoked, used up or expired');
    return { role, via: 'invite' };
  }

  async function usePassword(room: RoomRow, userId: string, password: string | undefined, ip: string): Promise<Admission> {
    if (!attempts.take(`${ip}\0${room.id}`) || !roomAttempts.take(room.id)) {
      logSecurityEvent(deps.log, { type: 'rate-limited', ip, roomId: room.id, userId, reason: 'password attempts' });
      throw new ApiError(429, 'rate-limited', 'Too many password attempts; try again later');
    }
    if (password === undefined) throw forbidden('This room needs a password', 'password-required');
    if (!room.passwordHash || !(await verifyPassword(password, room.passwordHash))) {
      logSecurityEvent(deps.log, { type: 'wrong-password', ip, roomId: room.id, userId });
      throw forbidden('Wrong password', 'wrong-password');
    }
    return { role: 'editor', via: 'password' };
  }

  async function admit(room: RoomRow, userId: string, body: z.infer<typeof joinBody>, ip: string): Promise<Admission> {
    if (room.ownerId === userId) return { role: 'owner' };
    if (body.invite !== undefined) return useInvite(room, userId, body.invite, ip);
    const member = await deps.rooms.member(room.id, userId);
    if (member) return { role: member.role };
    if (room.passwordHash !== null) return usePassword(room, userId, body.password, ip);
    if (isOpenRoom(room)) return { role: 'editor', via: 'public' };
    throw forbidden('This room is private: ask the owner for an invite', 'permission-denied');
  }

  return new Hono<AppEnv>().post('/:roomId/join', bearerAuth(deps.tokens), jsonBody(joinBody), async (c) => {
    const room = await findRoom(deps, c.req.param('roomId'));
    const user = c.get('user');
    const { role, via } = await admit(room, user.sub, c.req.valid('json'), c.get('clientIp'));
    await deps.users.ensure({ id: user.sub, name: user.name, email: user.email, avatarUrl: user.avatarUrl });
    if (via) {
      // The membership and its member.joined event commit together.
      const joined = await deps.database.db.transaction(async (tx) => {
        const members = new RoomStore(tx as unknown as Db);
        const before = await members.memberRole(room.id, user.sub);
        if (!(await members.addMember(room, user.sub, role, via))) return undefined;
        if (before !== undefined) return false;
        return (await deps.webhooks.enqueue(tx, room.id, 'member.joined', { user: { id: user.sub, name: user.name }, role })) > 0;
      });
      if (joined === undefined) throw new ApiError(409, 'access-changed', "The room's access changed while joining; try again");
      // Every instance's cached access of the room must learn the new member.
      await deps.accessChanges.publish(room.id, 'members');
      if (joined) deps.webhooks.kick();
    }
    const token = deps.tokens.signRoom({ id: user.sub, name: user.name }, room, role, deps.config.tokens.roomTtlSeconds);
    return c.json({ token, role });
  });
}
