import type { Claims } from '../auth/tokens.ts';
import type { MemberVia, Role, RoomRow } from '../db/schema.ts';

/** Reasons a socket may not open a room, as the provider's `authenticationFailed` shows them. */
export type AccessFailure = 'permission-denied' | 'room-not-found';

/** A `room_members` row as access decisions need it. */
export interface Membership {
  role: Role;
  via: MemberVia;
}

/** A public room without a password: anyone signed in may open it. */
export function isOpenRoom(room: RoomRow): boolean {
  return room.visibility === 'public' && room.passwordHash === null;
}

/**
 * The role a user has in a room right now, from the database alone: the owner; a
 * member with the role the owner gave; anyone else in an open room as editor.
 * This is what live connections are re-checked against after an access change.
 */
export function currentRole(room: RoomRow, userId: string, member: Membership | undefined): Role | 'permission-denied' {
  if (room.ownerId === userId) return 'owner';
  if (member) return member.role;
  if (isOpenRoom(room)) return 'editor';
  return 'permission-denied';
}

/**
 * Which role a WebSocket token gets in a room (API.md). A room token opens its own
 * room only, and only while the room's access epoch is the one it was issued under;
 * the role is the user's current one (a member turned viewer opens read-only even
 * with an editor token), and a member removed since is refused. A user token opens
 * what `currentRole` allows. Invites never open sockets.
 */
export function socketRole(claims: Claims, room: RoomRow, member: Membership | undefined): Role | AccessFailure {
  switch (claims.kind) {
    case 'room':
      if (claims.room !== room.id || claims.epoch !== room.accessEpoch) return 'permission-denied';
      return currentRole(room, claims.sub, member);
    case 'user':
      return currentRole(room, claims.sub, member);
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
  return room.ownerId === userId || memberRole !== undefined || isOpenRoom(room);
}
