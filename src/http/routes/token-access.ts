import type { Context } from 'hono';
import { type Claims, TokenError } from '../../auth/tokens.ts';
import type { Role, RoomRow } from '../../db/schema.ts';
import { socketRole } from '../../rooms/access.ts';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { forbidden, unauthorized } from '../errors.ts';

/** The token of a request: `Authorization: Bearer`, or `?token=` (what an `<img>` can carry). */
export function readToken(c: Context<AppEnv>, allowQuery: boolean): string | undefined {
  const header = c.req.header('authorization');
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthorized('Authorization must be "Bearer <token>"', 'invalid-token');
    return match[1];
  }
  return allowQuery ? c.req.query('token') || undefined : undefined;
}

/**
 * The caller's role in the room, from a user token or a room token (as a WebSocket
 * would open it): 401 without a valid token, 403 without access.
 */
export async function roleOf(deps: AppDeps, room: RoomRow, token: string | undefined): Promise<{ role: Role; userId: string }> {
  if (!token) throw unauthorized('Send a user or room token (Authorization: Bearer, or ?token=)');
  let claims: Claims;
  try {
    claims = deps.tokens.verify(token);
  } catch (error) {
    if (error instanceof TokenError) throw unauthorized(`Token refused: ${error.reason}`, error.reason);
    throw error;
  }
  if (claims.kind === 'invite') throw forbidden('An invite opens nothing by itself: /join first', 'permission-denied');
  const role = socketRole(claims, room, await deps.rooms.member(room.id, claims.sub));
  if (role === 'permission-denied' || role === 'room-not-found') throw forbidden('You have no access to this room', 'permission-denied');
  return { role, userId: claims.sub };
}
