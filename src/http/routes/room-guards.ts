import type { RoomRow } from '../../db/schema.ts';
import { isMember } from '../../rooms/access.ts';
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
