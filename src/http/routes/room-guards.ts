import type { Role, RoomRow } from '../../db/schema.ts';
import { canWrite, isMember } from '../../rooms/access.ts';
import { ROOM_ID_PATTERN } from '../../rooms/ids.ts';
import type { AppDeps } from '../app-env.ts';
import { forbidden, notFound } from '../errors.ts';

/** The room, or 404 (ids that cannot be room ids are unknown ids too). */
export async function findRoom(deps: AppDeps, roomId: string): Promise<RoomRow> {
  const room = ROOM_ID_PATTERN.test(roomId) ? await deps.rooms.get(roomId) : undefined;
  if (!room) throw notFound(`Room ${roomId.slice(0, 40)} does not exist`, 'room-not-found');
  return room;
}

export function requireOwner(room: RoomRow, userId: string): void {
  if (room.ownerId !== userId) throw forbidden('Only the room owner may do this');
}

/** Members per `isMember`, or 403. */
export async function requireMember(deps: AppDeps, room: RoomRow, userId: string): Promise<void> {
  if (room.ownerId === userId) return;
  const memberRole = await deps.rooms.memberRole(room.id, userId);
  if (!isMember(room, userId, memberRole)) throw forbidden('Join this room first');
}

/**
 * The caller's role in a room as a user token would open it over the WebSocket:
 * owner, member role, or editor of an open room; 403 for anyone else.
 */
export async function roleIn(deps: AppDeps, room: RoomRow, userId: string): Promise<Role> {
  if (room.ownerId === userId) return 'owner';
  const member = await deps.rooms.memberRole(room.id, userId);
  if (member) return member;
  if (room.visibility === 'public' && room.passwordHash === null) return 'editor';
  throw forbidden('Join this room first');
}

/** Owners and editors, or 403 (`read-only` for viewers). */
export async function requireWriter(deps: AppDeps, room: RoomRow, userId: string): Promise<void> {
  if (!canWrite(await roleIn(deps, room, userId))) throw forbidden('Viewers cannot change the document', 'read-only');
}
