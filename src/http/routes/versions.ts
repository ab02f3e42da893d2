import { Hono } from 'hono';
import { z } from 'zod';
import { KeyedRateLimiter } from '../../limits/token-bucket.ts';
import { logSecurityEvent } from '../../log.ts';
import { nameSchema } from '../../names/names.ts';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { ApiError, notFound } from '../errors.ts';
import { bearerAuth } from '../middleware/bearer-auth.ts';
import { jsonBody } from '../validate.ts';
import { findRoom, requireWriter } from './room-guards.ts';

/** A version's name follows the rules of room names (API.md "Names"). */
export const createVersionBody = z.strictObject({ name: nameSchema });

/** `POST /api/rooms/:roomId/versions`: names the board now as a version that is never pruned. */
export function versionRoutes(deps: AppDeps) {
  const auth = bearerAuth(deps.tokens);
  // Named versions are kept until their room is deleted: how fast they pile up is bounded per user.
  const namings = new KeyedRateLimiter(deps.config.limits.namedVersions);
  return new Hono<AppEnv>().post('/:roomId/versions', auth, jsonBody(createVersionBody), async (c) => {
    const room = await findRoom(deps, c.req.param('roomId'));
    const user = c.get('user');
    await requireWriter(deps, room, user.sub);
    if (!namings.take(user.sub)) {
      logSecurityEvent(deps.log, { type: 'rate-limited', ip: c.get('clientIp'), userId: user.sub, reason: 'named versions' });
      throw new ApiError(429, 'rate-limited', 'Too many versions named; try again later');
    }
    // The snapshot list shows the author's name: record them (a minted token's user may be new here).
    await deps.users.ensure({ id: user.sub, name: user.name, email: user.email, avatarUrl: user.avatarUrl });
    const version = await deps.versions.name(room.id, c.req.valid('json').name, user.sub);
    if (!version) throw notFound(`Room ${room.id} does not exist`, 'room-not-found');
    return c.json({ ...version, createdBy: { id: user.sub, name: user.name } }, 201);
  });
}
