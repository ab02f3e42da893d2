import type { Role, RoomRow } from '../db/schema.ts';
import type { Claims } from '../auth/tokens.ts';

/** Reasons a socket may not open a room, as the provider's `authenticationFailed` shows them. */
export type AccessFailure = 'permission-denied' | 'room-not-found';

/**
 * Which role a WebSocket token gets in a room (API.md): a room token opens its own
 * room with its role; a user token opens rooms the user owns, and public rooms
 * without a password as editor. Everything else is refused.
 */
export function socketRole(claims: Claims, room: RoomRow): Role | AccessFailure {
  switch (claims.kind) {
    case 'room':
      return claims.room === room.id ? claims.role : 'permission-denied';
    case 'user':
      if (room.ownerId === claims.sub) return 'owner';
      if (room.visibility === 'public' && room.passwordHash === null) return 'editor';
      return 'permission-denied';
    case 'invite':
      return 'permission-denied';
  }
}

/** Roles that may change the document. */
export function canWrite(role: Role): boolean {
  return role === 'owner' || role === 'editor';
}

/**
 * Who counts as a member for reading a room's details, snapshots and exports:
 * the owner, anyone who joined it, and for an open (public, password-less) room
 * anyone signed in, since they may open it anyway.
 */
export function isMember(room: RoomRow, userId: string, memberRole: Role | undefined): boolean {
  return room.ownerId === userId || memberRole !== undefined || (room.visibility === 'public' && room.passwordHash === null);
}
